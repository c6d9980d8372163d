#include "parse/parsers.h"

namespace usaged::parse {

const std::vector<std::unique_ptr<UsageParser>>& AllParsers() {
  static const auto* parsers = [] {
    auto* list = new std::vector<std::unique_ptr<UsageParser>>();
    list->push_back(NewVmParser());
    list->push_back(NewVolumeParser());
    list->push_back(NewNetworkOfferingParser());
    list->push_back(NewIpAddressParser());
    return list;
  }();
  return *parsers;
}

}  // namespace usaged::parse
