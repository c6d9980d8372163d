#include "ingest/handlers.h"

namespace usaged::ingest {

std::vector<std::unique_ptr<EventHandler>> AllEventHandlers() {
  std::vector<std::unique_ptr<EventHandler>> all;
  all.push_back(NewVmEventHandler());
  all.push_back(NewIpEventHandler());
  all.push_back(NewVolumeEventHandler());
  all.push_back(NewNetworkOfferingEventHandler());
  return all;
}

}  // namespace usaged::ingest
