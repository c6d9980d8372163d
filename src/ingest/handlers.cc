#include "ingest/handlers.h"

namespace usaged::ingest {

HandlerOptions HandlerOptionsFor(const UsageSettings& settings) {
  HandlerOptions options;
  options.snapshot_virtual_size = settings.snapshot_virtual_size;
  options.compat = settings.hours_mode == HoursMode::kCloudStackFloat;
  return options;
}

std::vector<std::unique_ptr<EventHandler>> AllEventHandlers(const HandlerOptions& options) {
  std::vector<std::unique_ptr<EventHandler>> all;
  all.push_back(NewVmEventHandler());
  all.push_back(NewIpEventHandler());
  all.push_back(NewVolumeEventHandler());
  all.push_back(NewNetworkOfferingEventHandler());
  all.push_back(NewStorageEventHandler(options.snapshot_virtual_size));
  all.push_back(NewVmSnapshotEventHandler());
  all.push_back(NewBackupEventHandler());
  all.push_back(NewSecurityGroupEventHandler());
  all.push_back(NewLoadBalancerEventHandler());
  all.push_back(NewPortForwardingEventHandler());
  all.push_back(NewVpnUserEventHandler());
  all.push_back(NewNetworkEventHandler());
  all.push_back(NewVpcEventHandler());
  return all;
}

}  // namespace usaged::ingest
