#pragma once

#include <memory>
#include <vector>

#include "core/settings.h"
#include "ingest/event_handler.h"

namespace usaged::ingest {

std::unique_ptr<EventHandler> NewVmEventHandler();
std::unique_ptr<EventHandler> NewIpEventHandler();
std::unique_ptr<EventHandler> NewVolumeEventHandler();
std::unique_ptr<EventHandler> NewNetworkOfferingEventHandler();
// With `snapshot_virtual_size` (usage.snapshot.virtualsize.select) a snapshot
// is billed at its virtual size instead of its physical size.
std::unique_ptr<EventHandler> NewStorageEventHandler(bool snapshot_virtual_size);
std::unique_ptr<EventHandler> NewVmSnapshotEventHandler();
std::unique_ptr<EventHandler> NewBackupEventHandler();
std::unique_ptr<EventHandler> NewSecurityGroupEventHandler();
std::unique_ptr<EventHandler> NewLoadBalancerEventHandler();
std::unique_ptr<EventHandler> NewPortForwardingEventHandler();
std::unique_ptr<EventHandler> NewVpnUserEventHandler();
std::unique_ptr<EventHandler> NewNetworkEventHandler();
std::unique_ptr<EventHandler> NewVpcEventHandler();

// Settings that change how events are applied.
struct HandlerOptions {
  bool snapshot_virtual_size = false;  // usage.snapshot.virtualsize.select
  // usage.compat.float.hours: keep the helper tables the way CloudStack
  // 4.21's Java server keeps them where that changes the records it writes
  // (not where it double-bills or loses usage).
  bool compat = false;
};

// The options the usage settings ask for.
HandlerOptions HandlerOptionsFor(const UsageSettings& settings);

// Every handler usaged has.
std::vector<std::unique_ptr<EventHandler>> AllEventHandlers(const HandlerOptions& options = {});

}  // namespace usaged::ingest
