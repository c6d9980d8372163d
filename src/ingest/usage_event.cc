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

UsageEvent ReadUsageEvent(store::Statement& q) {
  UsageEvent e;
  e.id = q.Int(0);
  e.type = q.Text(1);
  e.account_id = q.Int(2);
  e.created = q.Time(3);
  e.zone_id = q.Int(4);
  e.resource_id = q.OptInt(5);
  e.resource_name = q.OptText(6);
  e.offering_id = q.OptInt(7);
  e.template_id = q.OptInt(8);
  e.size = q.OptInt(9);
  e.resource_type = q.OptText(10);
  e.virtual_size = q.OptInt(11);
  return e;
}

}  // namespace usaged::ingest
