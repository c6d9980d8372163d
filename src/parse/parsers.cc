#include "parse/parsers.h"

#include <algorithm>

namespace usaged::parse {

const std::vector<std::unique_ptr<UsageParser>>& AllParsers() {
  static const auto* parsers = [] {
    auto* list = new std::vector<std::unique_ptr<UsageParser>>();
    list->push_back(NewVmParser());
    list->push_back(NewVolumeParser());
    list->push_back(NewStorageParser());
    list->push_back(NewSecurityGroupParser());
    list->push_back(NewLoadBalancerParser());
    list->push_back(NewPortForwardingParser());
    list->push_back(NewNetworkOfferingParser());
    list->push_back(NewIpAddressParser());
    list->push_back(NewVpnUserParser());
    list->push_back(NewVmSnapshotParser());
    list->push_back(NewVmSnapshotOnPrimaryParser());
    list->push_back(NewBackupParser());
    list->push_back(NewNetworkBytesParser());
    list->push_back(NewVmDiskParser());
    list->push_back(NewBucketParser());
    list->push_back(NewNetworkParser());
    list->push_back(NewVpcParser());
    return list;
  }();
  return *parsers;
}

std::vector<UsageRecord> ParseAll(store::Connection& conn, const ParseScope& scope) {
  std::vector<UsageRecord> records;
  for (const auto& parser : AllParsers()) parser->Parse(conn, scope, records);
  std::sort(records.begin(), records.end(),
            [](const UsageRecord& a, const UsageRecord& b) { return a.usage_key < b.usage_key; });
  return records;
}

}  // namespace usaged::parse
