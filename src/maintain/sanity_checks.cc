// The sanity checks. Each reads one range and appends what it finds; none
// writes. They are generic over usage types: record counts come from
// re-parsing the helper tables with every registered parser, and "the same
// record" is what the parsers' natural key says (parse/record_key.h), never a
// list of columns of its own.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <tuple>

#include "core/usage_types.h"
#include "ingest/usage_event.h"
#include "job/unit_rebuild.h"
#include "job/usage_run.h"
#include "maintain/record_checks.h"
#include "maintain/sanity.h"
#include "parse/parsers.h"
#include "parse/record_key.h"
#include "store/record_query.h"

namespace usaged::maintain {
namespace {

std::string JoinInts(const std::vector<int>& v) {
  std::string out;
  for (int x : v) out += (out.empty() ? "" : ",") + std::to_string(x);
  return out;
}

// "a, b" as "e.a, e.b" for `prefix` "e.".
std::string Qualified(std::string_view columns, std::string_view prefix) {
  std::string out(prefix);
  for (char c : columns) {
    out += c;
    if (c == ' ') out += prefix;
  }
  return out;
}

// What "the same record" is across windows: the parser's natural key without
// the window (parse::SeriesKeyText). Findings name the series by type,
// account and resource id (the usage id, else the VM).
struct Series {
  int usage_type = 0;
  int64_t account_id = 0;
  int64_t resource_id = 0;
  std::string key_text;
};

Series SeriesOf(const UsageRecord& r) {
  return {r.usage_type, r.account_id, r.usage_id.value_or(r.vm_instance_id.value_or(0)),
          parse::SeriesKeyText(r)};
}

SanityFinding Finding(std::string_view kind, const Series& series, std::string detail) {
  SanityFinding f;
  f.kind = kind;
  f.usage_type = series.usage_type;
  f.account_id = series.account_id;
  f.usage_id = series.resource_id;
  f.detail = fmt::format("{} ({})", detail, series.key_text);
  return f;
}

// cloud_usage rows (every column) matching `where`, bound to `args`, one
// UsageRecord at a time.
template <typename... Args>
void ForEachRecord(store::Connection& conn, const std::string& where,
                   const std::function<void(int64_t, const UsageRecord&)>& visit,
                   const Args&... args) {
  auto& q = conn.Prepare(fmt::format("SELECT {} FROM ${{usage}}.cloud_usage WHERE {}",
                                     store::RecordSelectList(), where))
                .Bind(args...);
  while (q.Next()) {
    const store::StoredRecord s = store::ReadStoredRecord(q);
    visit(s.id, s.record);
  }
  q.Reset();
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
  struct Windows {
    Series series;
    std::vector<Instant> expected, stored;
  };
  std::map<std::string, Windows> by_series;
  auto entry = [&](const UsageRecord& r) -> Windows& {
    Series series = SeriesOf(r);
    auto [it, fresh] = by_series.try_emplace(series.key_text);
    if (fresh) it->second.series = std::move(series);
    return it->second;
  };
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
        entry(r).expected.push_back(b.window.start);
      }
    }
  }
  ForEachRecord(
      conn,
      fmt::format("start_date >= ? AND start_date < ? AND usage_type IN ({})",
                  JoinInts(job::ParsedUsageTypes())),
      [&](int64_t, const UsageRecord& r) {
        if (const BilledWindow* window = Containing(windows, r.start_date, r.end_date)) {
          entry(r).stored.push_back(window->window.start);
        }
      },
      windows.front().window.start, end);
  for (auto& [key, w] : by_series) {
    const auto& want = w.expected;
    std::vector<Instant>& have = w.stored;
    if (!want.empty()) {
      const Instant last_lived = *std::max_element(want.begin(), want.end());
      for (Instant t : have) {
        if (t <= last_lived) continue;
        SanityFinding f = Finding(finding_kind::kRecordAfterRemoval, w.series,
                                  fmt::format("a record in the window of {}, after the last "
                                              "window the resource lived in ({})",
                                              FormatUtc(t), FormatUtc(last_lived)));
        f.window_start = t;
        out.push_back(std::move(f));
      }
      std::erase_if(have, [&](Instant t) { return t > last_lived; });
    }
    if (have.size() != want.size()) {
      out.push_back(Finding(finding_kind::kRecordCount, w.series,
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
  struct Rows {
    Series series;
    std::vector<Row> rows;
  };
  std::map<std::string, Rows> by_series;
  ForEachRecord(
      conn, "end_date >= ? AND start_date < ?",
      [&](int64_t id, const UsageRecord& r) {
        Series series = SeriesOf(r);
        auto [it, fresh] = by_series.try_emplace(series.key_text);
        if (fresh) it->second.series = std::move(series);
        it->second.rows.push_back({id, r.start_date, r.end_date, r.raw_usage});
      },
      start, end);
  for (auto& [key, entry] : by_series) {
    std::vector<Row>& rows = entry.rows;
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return std::tie(a.start, a.end, a.id) < std::tie(b.start, b.end, b.id);
    });
    // Types written one record per helper row: one resource's records of a
    // window are parts of its time, not copies, while they fit in it. (Their
    // natural key tells them apart by the row's start, which is no column.)
    std::map<std::pair<Instant, Instant>, double> window_hours;
    const bool per_row = parse::KeyedByHelperRow(entry.series.usage_type);
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
      SanityFinding f = Finding(kind, entry.series,
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
  // Copies have the same content signature (every column but the id, and the
  // details), as the event applier tells them; so they have the same time,
  // and events are read one second at a time, with their details.
  auto& q = conn.Prepare(fmt::format(
      "SELECT {}, d.name, d.value FROM ${{usage}}.usage_event e LEFT JOIN "
      "${{usage}}.usage_event_details d ON d.usage_event_id = e.id WHERE e.created >= ? AND "
      "e.created < ? ORDER BY e.created, e.id, d.id",
      Qualified(ingest::kUsageEventColumns, "e."))).Bind(start, end);
  std::vector<ingest::UsageEvent> second;
  auto report = [&] {
    std::map<std::string, std::vector<const ingest::UsageEvent*>> copies;
    for (const auto& e : second) copies[e.ContentSignature()].push_back(&e);
    for (const auto& [signature, events] : copies) {
      if (events.size() < 2) continue;
      const ingest::UsageEvent& e = *events.front();
      SanityFinding f;
      f.kind = finding_kind::kDuplicateEvent;
      f.account_id = e.account_id;
      f.usage_id = e.resource_id;
      f.window_start = e.created;
      f.detail = fmt::format("{} copies of event {} for resource {} at {} (ids {} to {})",
                             events.size(), e.type,
                             e.resource_id ? std::to_string(*e.resource_id) : "-",
                             FormatUtc(e.created), e.id, events.back()->id);
      out.push_back(std::move(f));
    }
    second.clear();
  };
  while (q.Next()) {
    const int64_t id = q.Int(0);
    if (second.empty() || second.back().id != id) {
      ingest::UsageEvent e = ingest::ReadUsageEvent(q);
      if (!second.empty() && second.back().created != e.created) report();
      second.push_back(std::move(e));
    }
    if (!q.IsNull(12)) second.back().details[q.Text(12)] = q.OptText(13).value_or("");
  }
  q.Reset();
  report();
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
    SanityFinding f;
    f.kind = finding_kind::kRawUsageTooLong;
    f.usage_type = static_cast<int>(q.Int(1));
    f.account_id = q.Int(2);
    f.usage_id = q.OptInt(3) ? q.OptInt(3) : q.OptInt(4).value_or(0);
    f.detail = fmt::format("record {}: raw_usage {} hours in a window of {} hours", q.Int(0),
                           raw, hours);
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
