#pragma once

#include <memory>

#include "parse/parser.h"

namespace usaged::parse {

// Factories of the individual parsers (AllParsers() lists them in order).
std::unique_ptr<UsageParser> NewVmParser();
std::unique_ptr<UsageParser> NewIpAddressParser();
std::unique_ptr<UsageParser> NewVolumeParser();
std::unique_ptr<UsageParser> NewNetworkOfferingParser();

}  // namespace usaged::parse
