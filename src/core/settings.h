#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/hours.h"
#include "core/timezone.h"

namespace usaged {

// A configuration key usaged reads from cloud.configuration: CloudStack's own
// usage keys (same names, same defaults) and usaged's additions.
struct ConfigKey {
  std::string_view name;
  std::string_view default_value;
  std::string_view description;
  bool cloudstack_key;  // false: introduced by usaged
  // Throws InputError naming the key if `value` is not acceptable.
  void (*validate)(std::string_view name, std::string_view value);
  bool secret = false;  // a password: never printed or logged
};

const std::vector<ConfigKey>& KnownConfigKeys();
// nullptr if usaged does not know the key.
const ConfigKey* FindConfigKey(std::string_view name);
// Throws InputError for an unknown key (listing the known ones) or a bad value
// (also one with leading or trailing blanks, unless the key is a list).
void ValidateConfigValue(std::string_view name, std::string_view value);

// Raw configuration values by key; nullopt when the key is not set.
using ConfigLookup = std::function<std::optional<std::string>(std::string_view)>;
// The value of the known key `name` from `lookup`, or its default, validated.
// Throws ConfigError naming the key for a value that cannot be used.
std::string LoadConfigValue(const ConfigLookup& lookup, std::string_view name);

// For validators of keys declared in other files. Throw InputError naming
// `name` unless `value` is an integer in [lo, hi] (returned), or true/false.
long long RequireIntegerSetting(std::string_view name, std::string_view value, long long lo,
                                long long hi);
void RequireBooleanSetting(std::string_view name, std::string_view value);

// The settings a usage job runs with, read once at job start.
struct UsageSettings {
  int aggregation_range_minutes = 1440;
  int exec_hour = 0;
  int exec_minute = 15;
  TimeZone execution_zone = TimeZone::Utc();
  TimeZone aggregation_zone = TimeZone::Utc();
  HoursMode hours_mode = HoursMode::kExact;
  int account_shards = 4;
  int settle_seconds = 0;
  bool snapshot_virtual_size = false;
  int restatement_max_days = 30;
  int retention_years = 0;          // <= 0: keep every record
  int sanity_check_interval_days = 1;  // 0: no scheduled sanity check
  int threads = 1;         // units parsed in parallel (usage.threads)
  int lease_seconds = 30;  // cluster claims and the ingest lease
  int alert_unit_failures = 3;  // raise an alert at a unit's N-th failure; 0: never

  // Builds settings from a lookup of raw values (nullopt: key not set, use the
  // default). Throws ConfigError naming the key for a value that cannot be used.
  static UsageSettings Load(
      const std::function<std::optional<std::string>(std::string_view)>& lookup);
};

}  // namespace usaged
