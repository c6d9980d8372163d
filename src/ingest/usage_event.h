#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/time.h"
#include "store/connection.h"

namespace usaged::ingest {

// A row of cloud_usage.usage_event with its details.
struct UsageEvent {
  int64_t id = 0;
  std::string type;
  int64_t account_id = 0;
  Instant created{};
  int64_t zone_id = 0;
  std::optional<int64_t> resource_id;
  std::optional<std::string> resource_name;
  std::optional<int64_t> offering_id;
  std::optional<int64_t> template_id;
  std::optional<int64_t> size;
  std::optional<std::string> resource_type;
  std::optional<int64_t> virtual_size;
  std::map<std::string, std::string> details;

  std::optional<std::string> Detail(const std::string& name) const {
    auto it = details.find(name);
    return it == details.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  // Every column but the id: two events with the same content are duplicates.
  std::string ContentSignature() const;
  // "#12 VM.START (account 3, resource 44, 2026-01-13 00:00:37)", for logs.
  std::string Describe() const;
};

// The columns ReadUsageEvent reads, in its order, for SELECT lists.
inline constexpr std::string_view kUsageEventColumns =
    "id, type, account_id, created, zone_id, resource_id, resource_name, offering_id, "
    "template_id, size, resource_type, virtual_size";

// The event in the current row of a query selecting kUsageEventColumns first
// (details are not read).
UsageEvent ReadUsageEvent(store::Statement& q);

}  // namespace usaged::ingest
