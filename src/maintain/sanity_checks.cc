// The sanity checks. Each reads one range and appends what it finds; none
// writes. They are generic over usage types: record counts come from
// re-parsing the helper tables with every registered parser, the other checks
// look only at columns every record has.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "core/usage_types.h"
#include "job/unit_rebuild.h"
#include "job/usage_run.h"
#include "maintain/record_checks.h"
#include "maintain/sanity.h"
#include "parse/parsers.h"
#include "parse/record_key.h"

namespace usaged::maintain {
namespace {

std::string JoinInts(const std::vector<int>& v) {
  std::string out;
  for (int x : v) out += (out.empty() ? "" : ",") + std::to_string(x);
  return out;
}

// A record's resource for counting: (type, account, resource id).
using ResourceKey = std::tuple<int, int64_t, int64_t>;

ResourceKey KeyOf(int type, int64_t account, std::optional<int64_t> usage_id,
                  std::optional<int64_t> vm_id) {
  return {type, account, usage_id.value_or(vm_id.value_or(0))};
}

SanityFinding Finding(std::string_view kind, const ResourceKey& key, std::string detail) {
  SanityFinding f;
  f.kind = kind;
  f.usage_type = std::get<0>(key);
  f.account_id = std::get<1>(key);
  f.usage_id = std::get<2>(key);
  f.detail = std::move(detail);
  return f;
}

struct BilledWindow {
  Window window;
  int shard_count = 1;
  bool done = false;
};

// Planned windows overlapping [start, end), oldest first.
std::vector<BilledWindow> LedgerWindows(store::Connection& conn, Instant start, Instant end) {
  auto& q = conn.Prepare(
      "SELECT w.start_millis, w.next_millis, w.shard_count, NOT EXISTS (SELECT 1 FROM "
      "${usage}.usaged_unit u WHERE u.window_id = w.id AND u.state <> 'done') FROM "
      "${usage}.usaged_window w WHERE w.next_millis > ? AND w.start_millis < ? "
      "ORDER BY w.start_millis").Bind(ToEpochMillis(start), ToEpochMillis(end));
  std::vector<BilledWindow> out;
  while (q.Next()) {
    out.push_back({Window{FromEpochMillis(q.Int(0)), FromEpochMillis(q.Int(1))},
                   static_cast<int>(q.Int(2)), q.Int(3) != 0});
  }
  q.Reset();
  return out;
}

// The window a record dated [start, end] lies in. Records usually span their
// window; some types (VM snapshots) date them with times inside it.
const BilledWindow* Containing(const std::vector<BilledWindow>& windows, Instant start,
                               Instant end) {
  auto it = std::upper_bound(windows.begin(), windows.end(), start,
                             [](Instant t, const BilledWindow& b) { return t < b.window.start; });
  if (it == windows.begin()) return nullptr;
  --it;
  if (start >= it->window.next || end > it->window.display_end()) return nullptr;
  return &*it;
}

}  // namespace

void CheckRecordCounts(store::Connection& conn, Instant start, Instant end,
                       std::vector<SanityFinding>& out) {
  const auto accounts = store::AccountDirectory::Load(conn);
  std::map<ResourceKey, std::vector<Instant>> expected, stored;
  std::vector<BilledWindow> windows = LedgerWindows(conn, start, end);
  // Only windows inside the range whose units are all done are compared.
  std::erase_if(windows, [&](const BilledWindow& b) {
    return !b.done || b.window.start < start || b.window.next > end;
  });
  if (windows.empty()) return;
  // Hours as the records were billed: compat mode writes records (1 ms at a
  // window boundary) that exact hours would not.
  const HoursMode hours_mode = job::LoadSettings(conn).hours_mode;
  for (const BilledWindow& b : windows) {
    for (int shard = 0; shard < b.shard_count; ++shard) {
      parse::ParseScope scope;
      scope.window = b.window;
      scope.shard = shard;
      scope.shard_count = b.shard_count;
      scope.hours_mode = hours_mode;
      scope.directory = &accounts;
      for (const auto& r : parse::ParseAll(conn, scope)) {
        expected[KeyOf(r.usage_type, r.account_id, r.usage_id, r.vm_instance_id)].push_back(
            b.window.start);
      }
    }
  }
  auto& q = conn.Prepare(fmt::format(
      "SELECT usage_type, account_id, usage_id, vm_instance_id, start_date, end_date FROM "
      "${{usage}}.cloud_usage WHERE start_date >= ? AND start_date < ? AND usage_type IN ({})",
      JoinInts(job::ParsedUsageTypes()))).Bind(windows.front().window.start, end);
  while (q.Next()) {
    const BilledWindow* window = Containing(windows, q.Time(4), q.Time(5));
    if (!window) continue;
    stored[KeyOf(static_cast<int>(q.Int(0)), q.Int(1), q.OptInt(2), q.OptInt(3))].push_back(
        window->window.start);
  }
  q.Reset();
  std::set<ResourceKey> keys;
  for (const auto& [k, v] : expected) keys.insert(k);
  for (const auto& [k, v] : stored) keys.insert(k);
  for (const ResourceKey& key : keys) {
    const auto& want = expected[key];
    std::vector<Instant> have = stored[key];
    if (!want.empty()) {
      const Instant last_lived = *std::max_element(want.begin(), want.end());
      for (Instant w : have) {
        if (w <= last_lived) continue;
        SanityFinding f = Finding(finding_kind::kRecordAfterRemoval, key,
                                  fmt::format("a record in the window of {}, after the last "
                                              "window the resource lived in ({})",
                                              FormatUtc(w), FormatUtc(last_lived)));
        f.window_start = w;
        out.push_back(std::move(f));
      }
      std::erase_if(have, [&](Instant w) { return w > last_lived; });
    }
    if (have.size() != want.size()) {
      out.push_back(Finding(finding_kind::kRecordCount, key,
                            fmt::format("{} record(s) from {} to {}; the resource lived in {} "
                                        "window(s) of that range",
                                        have.size(), FormatUtc(start), FormatUtc(end),
                                        want.size())));
    }
  }
}

void CheckOverlapsAndDuplicates(store::Connection& conn, Instant start, Instant end,
                                std::vector<SanityFinding>& out) {
  struct Row {
    int64_t id;
    Instant start, end;
    double raw_usage;
  };
  std::map<std::string, std::vector<Row>> by_identity;
  std::map<std::string, ResourceKey> keys;
  auto& q = conn.Prepare(
      "SELECT id, usage_type, account_id, usage_id, vm_instance_id, zone_id, offering_id, "
      "template_id, size, cpu_cores, cpu_speed, memory, network_id, start_date, end_date, "
      "state, raw_usage, description FROM ${usage}.cloud_usage WHERE end_date >= ? AND "
      "start_date < ?")
                .Bind(start, end);
  while (q.Next()) {
    std::string identity;
    for (int c = 1; c <= 12; ++c) {
      identity += (q.IsNull(c) ? std::string("n") : std::to_string(q.Int(c))) + "|";
    }
    identity += q.IsNull(15) ? std::string("n") : "s" + q.Text(15);
    // A VPN user's name is only in the description.
    identity += "|" + q.OptText(17).value_or("");
    by_identity[identity].push_back({q.Int(0), q.Time(13), q.Time(14), q.Double(16)});
    keys.emplace(identity, KeyOf(static_cast<int>(q.Int(1)), q.Int(2), q.OptInt(3), q.OptInt(4)));
  }
  q.Reset();
  for (auto& [identity, rows] : by_identity) {
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return std::tie(a.start, a.end, a.id) < std::tie(b.start, b.end, b.id);
    });
    // Types written one record per helper row: one resource's records of a
    // window are parts of its time, not copies, while they fit in it.
    std::map<std::pair<Instant, Instant>, double> window_hours;
    const bool per_row = parse::KeyedByHelperRow(std::get<0>(keys[identity]));
    if (per_row) {
      for (const Row& r : rows) window_hours[{r.start, r.end}] += r.raw_usage;
    }
    for (size_t i = 1; i < rows.size(); ++i) {
      const Row& a = rows[i - 1];
      const Row& b = rows[i];
      std::string_view kind;
      if (a.start == b.start && a.end == b.end) {
        if (per_row && PartsFitWindow(window_hours[{a.start, a.end}], a.start, a.end)) continue;
        kind = finding_kind::kDuplicateRecord;
      } else if (b.start <= a.end) {
        kind = finding_kind::kOverlappingRecords;
      } else {
        continue;
      }
      SanityFinding f = Finding(kind, keys[identity],
                                fmt::format("records {} ({} to {}) and {} ({} to {})", a.id,
                                            FormatUtc(a.start), FormatUtc(a.end), b.id,
                                            FormatUtc(b.start), FormatUtc(b.end)));
      f.window_start = b.start;
      f.window_end = b.end;
      out.push_back(std::move(f));
    }
  }
}

void CheckDuplicateEvents(store::Connection& conn, Instant start, Instant end,
                          std::vector<SanityFinding>& out) {
  auto& q = conn.Prepare(
      "SELECT type, account_id, resource_id, created, count(*), min(id), max(id) FROM "
      "${usage}.usage_event WHERE created >= ? AND created < ? GROUP BY type, account_id, "
      "zone_id, resource_id, created, offering_id, template_id, size HAVING count(*) > 1")
                .Bind(start, end);
  while (q.Next()) {
    SanityFinding f;
    f.kind = finding_kind::kDuplicateEvent;
    f.account_id = q.Int(1);
    f.usage_id = q.OptInt(2);
    f.window_start = q.Time(3);
    f.detail = fmt::format("{} copies of event {} for resource {} at {} (ids {} to {})", q.Int(4),
                           q.Text(0), q.OptInt(2) ? std::to_string(q.Int(2)) : "-",
                           FormatUtc(q.Time(3)), q.Int(5), q.Int(6));
    out.push_back(std::move(f));
  }
  q.Reset();
}

void CheckRawUsage(store::Connection& conn, Instant start, Instant end,
                   std::vector<SanityFinding>& out) {
  std::vector<int> time_based;
  for (int t : job::ParsedUsageTypes()) {
    const UsageTypeInfo* info = FindUsageType(t);
    if (info && info->time_based) time_based.push_back(t);
  }
  if (time_based.empty()) return;
  auto& q = conn.Prepare(fmt::format(
      "SELECT id, usage_type, account_id, usage_id, vm_instance_id, raw_usage, start_date, "
      "end_date FROM ${{usage}}.cloud_usage WHERE start_date >= ? AND start_date < ? AND "
      "usage_type IN ({})", JoinInts(time_based))).Bind(start, end);
  const std::vector<BilledWindow> windows = LedgerWindows(conn, start, end);
  while (q.Next()) {
    // The window's length; for a record outside usaged's windows, its own
    // (end_date is the last second: the record ends one second later).
    Instant from = q.Time(6), to = q.Time(7) + std::chrono::seconds(1);
    if (const BilledWindow* w = Containing(windows, q.Time(6), q.Time(7))) {
      from = w->window.start;
      to = w->window.next;
    }
    const double hours = std::chrono::duration<double>(to - from).count() / 3600.0;
    const double raw = q.Double(5);
    if (raw <= hours + 1e-3) continue;
    SanityFinding f = Finding(finding_kind::kRawUsageTooLong,
                              KeyOf(static_cast<int>(q.Int(1)), q.Int(2), q.OptInt(3),
                                    q.OptInt(4)),
                              fmt::format("record {}: raw_usage {} hours in a window of {} hours",
                                          q.Int(0), raw, hours));
    f.window_start = q.Time(6);
    f.window_end = q.Time(7);
    out.push_back(std::move(f));
  }
  q.Reset();
}

void CheckWindowGaps(store::Connection& conn, Instant start, Instant end,
                     std::vector<SanityFinding>& out) {
  auto& q = conn.Prepare(
      "SELECT start_millis, next_millis FROM ${usage}.usaged_window WHERE next_millis >= ? AND "
      "start_millis <= ? ORDER BY start_millis").Bind(ToEpochMillis(start), ToEpochMillis(end));
  std::optional<Instant> previous_next;
  while (q.Next()) {
    Instant s = FromEpochMillis(q.Int(0)), n = FromEpochMillis(q.Int(1));
    if (previous_next && s != *previous_next) {
      SanityFinding f;
      f.kind = finding_kind::kJobGap;
      f.window_start = std::min(s, *previous_next);
      f.window_end = std::max(s, *previous_next);
      f.detail = s > *previous_next
                     ? fmt::format("no window billed from {} to {}", FormatUtc(*previous_next),
                                   FormatUtc(s))
                     : fmt::format("windows overlap from {} to {}", FormatUtc(s),
                                   FormatUtc(*previous_next));
      out.push_back(std::move(f));
    }
    previous_next = previous_next ? std::max(*previous_next, n) : n;
  }
  q.Reset();
}

}  // namespace usaged::maintain
