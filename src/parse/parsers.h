#pragma once

#include <memory>

#include "parse/parser.h"

namespace usaged::parse {

// Runs every parser over `scope` and returns the records sorted by natural key
// (the order that inserts fastest into the unique index).
std::vector<UsageRecord> ParseAll(store::Connection& conn, const ParseScope& scope);

// Factories of the individual parsers (AllParsers() lists them in order).
std::unique_ptr<UsageParser> NewVmParser();
std::unique_ptr<UsageParser> NewIpAddressParser();
std::unique_ptr<UsageParser> NewVolumeParser();
std::unique_ptr<UsageParser> NewNetworkOfferingParser();
std::unique_ptr<UsageParser> NewStorageParser();
std::unique_ptr<UsageParser> NewVmSnapshotParser();
std::unique_ptr<UsageParser> NewVmSnapshotOnPrimaryParser();
std::unique_ptr<UsageParser> NewBackupParser();
std::unique_ptr<UsageParser> NewNetworkBytesParser();
std::unique_ptr<UsageParser> NewVmDiskParser();
std::unique_ptr<UsageParser> NewBucketParser();
std::unique_ptr<UsageParser> NewSecurityGroupParser();
std::unique_ptr<UsageParser> NewLoadBalancerParser();
std::unique_ptr<UsageParser> NewPortForwardingParser();
std::unique_ptr<UsageParser> NewVpnUserParser();
std::unique_ptr<UsageParser> NewNetworkParser();
std::unique_ptr<UsageParser> NewVpcParser();

}  // namespace usaged::parse
