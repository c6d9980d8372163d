#pragma once

#include <memory>
#include <vector>

#include "ingest/event_handler.h"

namespace usaged::ingest {

std::unique_ptr<EventHandler> NewVmEventHandler();
std::unique_ptr<EventHandler> NewIpEventHandler();
std::unique_ptr<EventHandler> NewVolumeEventHandler();
std::unique_ptr<EventHandler> NewNetworkOfferingEventHandler();

// Every handler usaged has.
std::vector<std::unique_ptr<EventHandler>> AllEventHandlers();

}  // namespace usaged::ingest
