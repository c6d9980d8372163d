#include "compare/compare.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "compare/java_source.h"
#include "core/error.h"
#include "core/usage_types.h"
#include "job/account_scope.h"
#include "job/usage_run.h"
#include "parse/parsers.h"
#include "store/account_directory.h"

namespace usaged::compare {
namespace {

// The windows of the range that have ended by `now`.
std::vector<Window> WindowsOf(const WindowCalendar& calendar, Instant start, Instant end,
                              Instant now) {
  if (end <= start) {
    throw InputError(fmt::format("the range is empty or inverted: start {} is not before end {}",
                                 FormatUtc(start), FormatUtc(end)));
  }
  std::vector<Window> out;
  for (Window w = calendar.WindowContaining(start); w.start < end;
       w = calendar.WindowStartingAt(w.next)) {
    if (w.next > now) break;
    out.push_back(w);
  }
  if (out.empty()) {
    throw InputError(fmt::format("no complete aggregation window between {} and {} (now is {})",
                                 FormatUtc(start), FormatUtc(end), FormatUtc(now)));
  }
  return out;
}

void CheckType(const std::optional<int>& type) {
  if (type && !FindUsageType(*type)) {
    throw InputError(fmt::format("unknown usage type {}: not a CloudStack usage type id (see "
                                 "`usaged types`)", *type));
  }
}

// Evidence from both sides, with the Java jobs read once.
class BothSides final : public Evidence {
 public:
  BothSides(JavaSource& java, Shadow& shadow) : java_(java), shadow_(shadow) {}
  int JavaJobsCovering(const Window& w) override { return java_.JobsCovering(w); }
  std::vector<HelperRow> JavaHelperRows(const UsageRecord& r, const Window& w) override {
    return java_.HelperRows(r, w);
  }
  std::vector<HelperRow> UsagedHelperRows(const UsageRecord& r, const Window& w) override {
    return shadow_.HelperRows(r, w);
  }
  std::string UsagedNote(const UsageRecord& r, const Window& w) override {
    return shadow_.Note(r, w);
  }

 private:
  JavaSource& java_;
  Shadow& shadow_;
};

// Sums what the pages give into the report.
class Tally {
 public:
  void Records(const std::vector<JavaRow>& java, const std::vector<UsageRecord>& usaged) {
    for (const auto& j : java) {
      auto& t = Type(j.record.usage_type);
      ++t.java_records;
      t.java_hours += j.record.raw_usage;
    }
    for (const auto& u : usaged) {
      auto& t = Type(u.usage_type);
      ++t.usaged_records;
      t.usaged_hours += u.raw_usage;
    }
  }
  void Matched(const std::map<int, std::pair<int64_t, double>>& matched) {
    for (const auto& [type, m] : matched) {
      auto& row = Row(type, diff_class::kMatch);
      row.records += m.first;
      row.java_hours += m.second;
      row.usaged_hours += m.second;
    }
  }
  void Add(const Difference& d) {
    auto& row = Row(d.usage_type, d.cls);
    row.records += std::max(d.java_records, d.usaged_records);
    row.java_hours += d.java_raw;
    row.usaged_hours += d.usaged_raw;
  }
  void Fill(CompareReport& report) const {
    for (const auto& [key, row] : rows_) report.summary.push_back(row);
    for (const auto& [type, t] : types_) report.types.push_back(t);
  }

 private:
  TypeTotals& Type(int type) {
    auto& t = types_[type];
    t.usage_type = type;
    return t;
  }
  SummaryRow& Row(int type, std::string_view cls) {
    auto& row = rows_[{type, std::string(cls)}];
    row.usage_type = type;
    row.cls = std::string(cls);
    return row;
  }
  std::map<std::pair<int, std::string>, SummaryRow> rows_;
  std::map<int, TypeTotals> types_;
};

std::vector<UsageRecord> ParsePage(store::Connection& conn, const parse::ParseScope& scope,
                                   const std::optional<int>& usage_type) {
  std::vector<UsageRecord> records = parse::ParseAll(conn, scope);
  if (usage_type) {
    std::erase_if(records, [&](const UsageRecord& r) { return r.usage_type != *usage_type; });
  }
  return records;
}

}  // namespace

CompareReport RunCompare(store::Store& store, const CompareRequest& request, const Clock& clock,
                         const DifferenceSink& sink, const ProgressFn& progress) {
  if (request.account_id && request.domain_id) {
    throw InputError("give an account or a domain, not both");
  }
  CheckType(request.usage_type);
  auto java_conn = store.Connect(/*create=*/false);
  const UsageSettings settings = job::LoadSettings(*java_conn);
  CompareReport report;
  report.hours_mode = request.hours_mode.value_or(settings.hours_mode);
  WindowCalendar calendar(settings);
  report.windows = WindowsOf(calendar, request.start, request.end, clock.Now());
  CompareScope scope;
  scope.accounts =
      job::ResolveAccountScope(*java_conn, request.account_id, request.domain_id);
  scope.usage_type = request.usage_type;

  const std::string name = request.shadow_name.empty()
                               ? store.UsageDatabaseName() + "_shadow"
                               : request.shadow_name;
  Shadow shadow(store, name, clock.Now());
  report.shadow = shadow.Describe();
  const Instant first = report.windows.front().start, last = report.windows.back().next;
  auto started = std::chrono::steady_clock::now();
  auto lap = [&started] {
    auto now = std::chrono::steady_clock::now();
    double s = std::chrono::duration<double>(now - started).count();
    started = now;
    return s;
  };
  // The shadow applies events as `usaged run` would with these settings
  // (compat or not); --hours only changes how its records count hours.
  report.ingest = shadow.Ingest(last, clock, ingest::HandlerOptionsFor(settings));
  report.ingest.samples_copied = shadow.FeedJavaSamples(*java_conn, first, last);
  report.ingest_seconds = lap();

  JavaSource java(*java_conn);
  report.java_billed_until = java.BilledUntil();
  BothSides evidence(java, shadow);
  const auto accounts = store::AccountDirectory::Load(shadow.conn());
  const int pages = std::max<int>(
      1, static_cast<int>((accounts.size() + request.page_accounts - 1) /
                          std::max(1, request.page_accounts)));
  const int64_t total = static_cast<int64_t>(report.windows.size()) * pages;
  int64_t done = 0;
  Tally tally;
  for (const Window& w : report.windows) {
    for (int page = 0; page < pages; ++page) {
      parse::ParseScope parse_scope{w, page, pages, report.hours_mode, &accounts,
                                    scope.accounts};
      auto usaged = ParsePage(shadow.conn(), parse_scope, scope.usage_type);
      report.parse_seconds += lap();
      auto rows = java.Records(w, page, pages, scope);
      report.read_seconds += lap();
      tally.Records(rows, usaged);
      WindowResult result = MatchWindow(w, report.hours_mode, std::move(rows), std::move(usaged),
                                        evidence);
      tally.Matched(result.matched);
      for (const auto& d : result.differences) {
        tally.Add(d);
        ++report.differences;
        if (!d.explained()) ++report.unexplained;
        sink(d);
      }
      report.match_seconds += lap();
      if (progress) progress(++done, total);
    }
  }
  tally.Fill(report);
  spdlog::info("compare: {} window(s), {} difference(s), {} unexplained; ingest {:.1f} s, parse "
               "{:.1f} s, read {:.1f} s, match {:.1f} s",
               report.windows.size(), report.differences, report.unexplained,
               report.ingest_seconds, report.parse_seconds, report.read_seconds,
               report.match_seconds);
  return report;
}

}  // namespace usaged::compare
