#include "ingest/event_types.h"

#include <array>

namespace usaged::ingest {

std::optional<std::string> KnownEventWithoutUsage(std::string_view type) {
  // The Java server routes events by prefix and ignores the subtypes its
  // handlers do not act on (VM.REBOOT, VM.MIGRATE, NET.IPRESERVE,
  // NET.IP6ASSIGN, LB.UPDATE, NET.RULEMODIFY, VPN.USER.UPDATE, ...): they are
  // known, carry no usage, and are marked processed. The subtypes that carry
  // usage (LB.CREATE, NET.RULEADD, VPN.USER.ADD, ...) have handlers, which
  // are asked first.
  static constexpr std::array<std::string_view, 5> kPrefixes = {"VM.", "NET.IP", "LB.",
                                                                "NET.RULE", "VPN.USER"};
  for (std::string_view prefix : kPrefixes) {
    if (type.substr(0, prefix.size()) == prefix) {
      return std::string(prefix) + "* event without usage effect";
    }
  }
  return std::nullopt;
}

}  // namespace usaged::ingest
