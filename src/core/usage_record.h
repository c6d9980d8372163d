#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/time.h"

namespace usaged {

// One row of cloud_usage.cloud_usage, as CloudStack's parsers fill it.
struct UsageRecord {
  int64_t zone_id = 0;
  int64_t account_id = 0;
  int64_t domain_id = 0;
  std::string description;
  std::string usage_display;
  int usage_type = 0;
  double raw_usage = 0;
  std::optional<int64_t> vm_instance_id;
  std::optional<std::string> vm_name;
  std::optional<int64_t> offering_id;
  std::optional<int64_t> template_id;
  std::optional<int64_t> usage_id;
  std::optional<std::string> type;
  std::optional<int64_t> size;
  std::optional<int64_t> network_id;
  Instant start_date{};
  Instant end_date{};  // the window's display end (... 23:59:59)
  std::optional<int64_t> virtual_size;
  std::optional<int64_t> cpu_speed;
  std::optional<int64_t> cpu_cores;
  std::optional<int64_t> memory;
  int quota_calculated = 0;
  bool is_hidden = false;
  std::optional<std::string> state;
  // Where CloudStack writes one record per helper row rather than one per
  // resource (see docs/usage-types.md), two records of one resource may agree
  // on every column but the quantity: the start of the row tells them apart
  // in the natural key. Not a column; nullopt for every other record.
  std::optional<Instant> row_start;
  // usaged's natural key: identifies the record among every record ever
  // written (type, account, the parser's grouping key, window). NOT NULL and
  // UNIQUE in the database, so a second copy cannot be stored.
  std::string usage_key;
};

}  // namespace usaged
