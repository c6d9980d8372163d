#include "core/settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <thread>

#include <spdlog/spdlog.h>

#include "core/alert_settings.h"
#include "core/error.h"

namespace usaged {
namespace {

std::optional<long long> ParseInteger(std::string_view v) {
  long long out = 0;
  auto trimmed = v;
  while (!trimmed.empty() && trimmed.front() == ' ') trimmed.remove_prefix(1);
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
  if (trimmed.empty()) return std::nullopt;
  auto [ptr, ec] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), out);
  if (ec != std::errc() || ptr != trimmed.data() + trimmed.size()) return std::nullopt;
  return out;
}

long long RequireIntegerIn(std::string_view name, std::string_view v, long long lo, long long hi) {
  auto n = ParseInteger(v);
  if (!n || *n < lo || *n > hi) {
    throw InputError(fmt::format("invalid value '{}' for {}: expected an integer from {} to {}", v,
                                 name, lo, hi));
  }
  return *n;
}

void ValidateRange(std::string_view name, std::string_view v) {
  RequireIntegerIn(name, v, 1, 525600);
}
void ValidateShards(std::string_view name, std::string_view v) {
  RequireIntegerIn(name, v, 1, 1024);
}
void ValidateSettle(std::string_view name, std::string_view v) {
  RequireIntegerIn(name, v, 0, 86400);
}
void ValidateDays(std::string_view name, std::string_view v) {
  RequireIntegerIn(name, v, 0, 3650);
}

void ValidateRetentionYears(std::string_view name, std::string_view v) {
  RequireIntegerIn(name, v, -1, 1000);
}

constexpr long long kMaxThreads = 256;

void ValidateThreads(std::string_view name, std::string_view v) {
  if (v == "cores") return;
  auto n = ParseInteger(v);
  if (!n || *n < 1 || *n > kMaxThreads) {
    throw InputError(fmt::format("invalid value '{}' for {}: expected 'cores' or an integer from "
                                 "1 to {}", v, name, kMaxThreads));
  }
}

void ValidateLease(std::string_view name, std::string_view v) {
  RequireIntegerIn(name, v, 1, 3600);
}

// CloudStack reads a value as it is stored (Integer.parseInt(" 60") fails, a
// time zone " UTC" is unknown), so a value with blanks around it is refused,
// not trimmed: usaged must not bill with a setting CloudStack cannot read.
// Passwords are used as they are by both and are never printed; the items
// of these lists are trimmed by CloudStack (and usaged) too.
bool IsTrimmedList(std::string_view name) {
  return name == "alert.email.addresses" || name == "alert.smtp.enabledSecurityProtocols";
}

void RequireNoSurroundingBlanks(const ConfigKey& key, std::string_view value) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  if (key.secret || IsTrimmedList(key.name) || value.empty()) return;
  if (!blank(value.front()) && !blank(value.back())) return;
  throw InputError(fmt::format("invalid value '{}' for {}: it has leading or trailing blanks, "
                               "which CloudStack would not read; remove them",
                               value, key.name));
}

int CoreCount() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

void ValidateBool(std::string_view name, std::string_view v) {
  if (v != "true" && v != "false") {
    throw InputError(fmt::format("invalid value '{}' for {}: expected true or false", v, name));
  }
}

void ValidateZone(std::string_view name, std::string_view v) {
  try {
    TimeZone::Parse(v);
  } catch (const ConfigError& e) {
    throw InputError(fmt::format("invalid value for {}: {}", name, e.what()));
  }
}

std::optional<std::pair<int, int>> ParseExecTime(std::string_view v) {
  auto colon = v.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto h = ParseInteger(v.substr(0, colon));
  auto m = ParseInteger(v.substr(colon + 1));
  if (!h || !m || *h < 0 || *h > 23 || *m < 0 || *m > 59 || v.size() - colon - 1 != 2) {
    return std::nullopt;
  }
  return std::make_pair(static_cast<int>(*h), static_cast<int>(*m));
}

void ValidateExecTime(std::string_view name, std::string_view v) {
  if (!ParseExecTime(v)) {
    throw InputError(fmt::format("invalid value '{}' for {}: expected a time of day as HH:MM", v,
                                 name));
  }
}

}  // namespace

const std::vector<ConfigKey>& KnownConfigKeys() {
  static const std::vector<ConfigKey> keys = {
      {"usage.stats.job.aggregation.range", "1440",
       "Length of an aggregation window in minutes (1440 = daily, 60 = hourly; other ranges "
       "that divide a day start at usage.stats.job.exec.time).", true,
       ValidateRange},
      {"usage.stats.job.exec.time", "00:15",
       "Time of day (HH:MM, in usage.execution.timezone) at which the scheduled job runs; "
       "windows of ranges other than hourly and daily start from it.", true,
       ValidateExecTime},
      {"usage.execution.timezone", "GMT", "Time zone of usage.stats.job.exec.time.", true,
       ValidateZone},
      {"usage.aggregation.timezone", "GMT",
       "Time zone of hourly and daily windows (daily = local midnight) and of ranges that do "
       "not divide a day.", true,
       ValidateZone},
      {"usage.sanity.check.interval", "1", "Days between sanity checks (0 disables them).", true,
       ValidateDays},
      {"usage.snapshot.virtualsize.select", "false",
       "Bill snapshots by their virtual size instead of their physical size.", true,
       ValidateBool},
      {"usage.compat.float.hours", "false",
       "Compute raw_usage hours exactly as CloudStack's Java server does (inclusive "
       "milliseconds, 32-bit float) instead of exactly.",
       false, ValidateBool},
      {"usage.account.shards", "4",
       "Number of account shards per window; a (window, shard) pair is one unit of work, "
       "committed in one transaction.",
       false, ValidateShards},
      {"usage.restatement.max.days", "30",
       "How far back (days before now) a late event may restate billed windows; an older late "
       "event is quarantined with an alert instead.",
       false, ValidateDays},
      {"usage.retention.years", "-1",
       "Years of cloud_usage records to keep; the daily cleanup deletes older ones. -1 or 0 keep "
       "everything. `usaged init` sets 1 on a fresh install and -1 on a database that already "
       "holds usage data.",
       false, ValidateRetentionYears},
      {"usage.threads", "cores",
       "Units parsed in parallel by one usaged process ('cores' = one per CPU core). A bad "
       "value is logged and the default is used.",
       false, ValidateThreads},
      {"usage.cluster.lease.seconds", "30",
       "Seconds a node's claim on a unit (and the ingest lease) lasts without renewal; a "
       "stopped node's work is taken over by another node after this long.",
       false, ValidateLease},
      {"usage.window.settle.seconds", "0",
       "Seconds a window must have ended before it is processed, for events committed late.",
       false, ValidateSettle},
  };
  static const std::vector<ConfigKey> with_alerts = [] {
    std::vector<ConfigKey> all = keys;
    all.insert(all.end(), AlertConfigKeys().begin(), AlertConfigKeys().end());
    return all;
  }();
  return with_alerts;
}

long long RequireIntegerSetting(std::string_view name, std::string_view value, long long lo,
                                long long hi) {
  return RequireIntegerIn(name, value, lo, hi);
}

void RequireBooleanSetting(std::string_view name, std::string_view value) {
  ValidateBool(name, value);
}

const ConfigKey* FindConfigKey(std::string_view name) {
  for (const auto& k : KnownConfigKeys()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

void ValidateConfigValue(std::string_view name, std::string_view value) {
  const ConfigKey* key = FindConfigKey(name);
  if (!key) {
    std::string known;
    for (const auto& k : KnownConfigKeys()) known += fmt::format("\n  {}", k.name);
    throw InputError(fmt::format("unknown configuration key '{}'; usaged knows:{}", name, known));
  }
  RequireNoSurroundingBlanks(*key, value);
  key->validate(name, value);
}

std::string LoadConfigValue(const ConfigLookup& lookup, std::string_view name) {
  const ConfigKey* key = FindConfigKey(name);
  std::string value = lookup(name).value_or(std::string(key->default_value));
  try {
    RequireNoSurroundingBlanks(*key, value);
    key->validate(name, value);
  } catch (const InputError& e) {
    throw ConfigError(fmt::format("cloud.configuration: {}", e.what()));
  }
  return value;
}

UsageSettings UsageSettings::Load(
    const std::function<std::optional<std::string>(std::string_view)>& lookup) {
  auto get = [&](std::string_view name) { return LoadConfigValue(lookup, name); };
  UsageSettings s;
  s.aggregation_range_minutes =
      static_cast<int>(*ParseInteger(get("usage.stats.job.aggregation.range")));
  auto exec = *ParseExecTime(get("usage.stats.job.exec.time"));
  s.exec_hour = exec.first;
  s.exec_minute = exec.second;
  s.execution_zone = TimeZone::Parse(get("usage.execution.timezone"));
  s.aggregation_zone = TimeZone::Parse(get("usage.aggregation.timezone"));
  s.hours_mode = get("usage.compat.float.hours") == "true" ? HoursMode::kCloudStackFloat
                                                           : HoursMode::kExact;
  s.account_shards = static_cast<int>(*ParseInteger(get("usage.account.shards")));
  s.settle_seconds = static_cast<int>(*ParseInteger(get("usage.window.settle.seconds")));
  s.snapshot_virtual_size = get("usage.snapshot.virtualsize.select") == "true";
  s.restatement_max_days = static_cast<int>(*ParseInteger(get("usage.restatement.max.days")));
  s.retention_years = static_cast<int>(*ParseInteger(get("usage.retention.years")));
  s.sanity_check_interval_days =
      static_cast<int>(*ParseInteger(get("usage.sanity.check.interval")));
  s.lease_seconds = static_cast<int>(*ParseInteger(get("usage.cluster.lease.seconds")));
  s.threads = CoreCount();
  // A bad thread count must not stop billing: it is reported and the default used.
  std::string threads = lookup("usage.threads").value_or("cores");
  try {
    RequireNoSurroundingBlanks(*FindConfigKey("usage.threads"), threads);
    ValidateThreads("usage.threads", threads);
    if (threads != "cores") s.threads = static_cast<int>(*ParseInteger(threads));
  } catch (const InputError& e) {
    spdlog::error("cloud.configuration: {}; using the default ({} thread(s), one per core)",
                  e.what(), s.threads);
  }
  s.alert_unit_failures = static_cast<int>(*ParseInteger(get("usage.alert.unit.failures")));
  return s;
}

}  // namespace usaged
