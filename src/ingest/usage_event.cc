#include "ingest/usage_event.h"

#include <fmt/format.h>

namespace usaged::ingest {
namespace {
std::string Opt(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "-"; }
std::string Opt(const std::optional<std::string>& v) { return v ? *v : "-"; }
}  // namespace

std::string UsageEvent::ContentSignature() const {
  std::string s = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", type, account_id,
                              ToEpochMillis(created), zone_id, Opt(resource_id),
                              Opt(resource_name), Opt(offering_id), Opt(template_id), Opt(size),
                              Opt(resource_type), Opt(virtual_size));
  for (const auto& [k, v] : details) s += fmt::format("|{}={}", k, v);
  return s;
}

std::string UsageEvent::Describe() const {
  return fmt::format("#{} {} (account {}, resource {}, {})", id, type, account_id,
                     Opt(resource_id), FormatUtc(created));
}

}  // namespace usaged::ingest
