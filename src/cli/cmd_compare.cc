// `usaged compare`: shadow billing against the Java usage server's records.
#include <fmt/format.h>

#include <cstdio>
#include <iostream>

#include "cli/app.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "compare/compare.h"
#include "core/error.h"
#include "core/usage_types.h"
#include "parse/record_key.h"

namespace usaged::cli {
namespace {

using Json = nlohmann::ordered_json;

struct CompareCliOptions {
  std::string start, end, format = "table", hours, shadow;
  NowOption now;
  std::optional<int64_t> account, domain;
  std::optional<int> type;
  int page_accounts = 5000;
  int64_t limit = 100;
};

std::string TypeName(int type) {
  const UsageTypeInfo* info = FindUsageType(type);
  return info ? std::string(info->name) : std::to_string(type);
}

Json DifferenceJson(const compare::Difference& d) {
  return Json{{"usage_type", d.usage_type},
              {"class", d.cls},
              {"kind", d.kind},
              {"cause", d.cause},
              {"account_id", d.account_id},
              {"window_start", FormatUtc(d.window.start)},
              {"window_end", FormatUtc(d.window.display_end())},
              {"java_ids", d.java_ids},
              {"helper_ids", d.helper_ids},
              {"usaged_record", d.usaged_record.empty() ? Json() : Json(d.usaged_record)},
              {"java_records", d.java_records},
              {"usaged_records", d.usaged_records},
              {"java_raw_usage", d.java_raw},
              {"usaged_raw_usage", d.usaged_raw},
              {"detail", d.detail}};
}

// Keeps unexplained differences in memory (there should be few) and spills
// the others to a temporary file, so a month of duplicates does not have to
// fit in memory; reads them back unexplained first.
class DifferenceBuffer {
 public:
  DifferenceBuffer() : spill_(std::tmpfile()) {
    if (!spill_) throw Error("cannot create a temporary file for the differences");
  }
  ~DifferenceBuffer() { std::fclose(spill_); }

  void Add(const compare::Difference& d) {
    if (!d.explained()) {
      unexplained_.push_back(DifferenceJson(d));
      return;
    }
    std::string line = DifferenceJson(d).dump() + "\n";
    std::fwrite(line.data(), 1, line.size(), spill_);
  }

  // Calls `fn` with each difference, unexplained first, until it returns false.
  template <class Fn>
  void ForEach(Fn&& fn) {
    for (const auto& d : unexplained_) {
      if (!fn(d)) return;
    }
    std::rewind(spill_);
    std::string line;
    for (int c; (c = std::fgetc(spill_)) != EOF;) {
      if (c != '\n') {
        line.push_back(static_cast<char>(c));
        continue;
      }
      if (!fn(Json::parse(line))) return;
      line.clear();
    }
  }

 private:
  std::vector<Json> unexplained_;
  FILE* spill_;
};

double Percent(double java, double usaged) {
  if (java == 0) return usaged == 0 ? 0 : 100;
  return (usaged - java) / java * 100;
}

ResultTable TypesTable(const compare::CompareReport& r) {
  ResultTable t({"usage_type", "name", "java_records", "usaged_records", "java_hours",
                 "usaged_hours", "difference_percent"});
  for (const auto& x : r.types) {
    t.Add({x.usage_type, TypeName(x.usage_type), x.java_records, x.usaged_records, x.java_hours,
           x.usaged_hours, std::round(Percent(x.java_hours, x.usaged_hours) * 1000) / 1000});
  }
  return t;
}

ResultTable SummaryTable(const compare::CompareReport& r) {
  ResultTable t({"usage_type", "class", "records", "java_hours", "usaged_hours"});
  for (const auto& s : r.summary) {
    t.Add({s.usage_type, s.cls, s.records, s.java_hours, s.usaged_hours});
  }
  return t;
}

const std::vector<std::string> kDifferenceColumns = {
    "class", "kind", "cause", "usage_type", "account_id", "window_start", "java_ids",
    "helper_ids", "usaged_record", "java_raw_usage", "usaged_raw_usage", "detail"};

std::vector<Json> DifferenceRow(const Json& d) {
  std::vector<Json> row;
  for (const auto& c : kDifferenceColumns) {
    const Json& v = d.at(c);
    if (v.is_array()) {
      std::string ids;
      for (const auto& id : v) ids += (ids.empty() ? "" : " ") + id.dump();
      row.emplace_back(ids);
    } else {
      row.push_back(v);
    }
  }
  return row;
}

void PrintTable(const compare::CompareReport& r, DifferenceBuffer& diffs, int64_t limit,
                std::ostream& out) {
  out << fmt::format("compare {} .. {}: {} window(s), hours {}, usaged's side in {}\n",
                     FormatUtc(r.windows.front().start), FormatUtc(r.windows.back().display_end()),
                     r.windows.size(),
                     r.hours_mode == HoursMode::kExact ? "exact" : "as the Java server (float)",
                     r.shadow);
  out << fmt::format("events: {} copied, {} applied, {} quarantined; {} helper row(s) healed; "
                     "{} Java sample row(s)\n",
                     r.ingest.events_copied, r.ingest.events_applied,
                     r.ingest.events_quarantined, r.ingest.healed, r.ingest.samples_copied);
  out << (r.java_billed_until
              ? fmt::format("the Java server billed up to {}\n",
                            FormatUtcMillis(*r.java_billed_until))
              : std::string("the Java server has no successful job\n"));
  out << "\nPer usage type:\n";
  TypesTable(r).Print(Format::kTable, out);
  out << "\nPer usage type and class:\n";
  SummaryTable(r).Print(Format::kTable, out);
  out << fmt::format("\n{} difference(s), {} unexplained{}\n", r.differences, r.unexplained,
                     r.differences ? " (listed first):" : "");
  ResultTable t(kDifferenceColumns);
  int64_t shown = 0;
  diffs.ForEach([&](const Json& d) {
    if (limit > 0 && shown >= limit) return false;
    t.Add(DifferenceRow(d));
    ++shown;
    return true;
  });
  if (shown > 0) t.Print(Format::kTable, out);
  if (shown < r.differences) {
    out << fmt::format("... {} more (--limit 0 shows all; --format json or csv for scripts)\n",
                       r.differences - shown);
  }
}

void PrintJson(const compare::CompareReport& r, DifferenceBuffer& diffs, std::ostream& out) {
  Json head{{"start", FormatUtc(r.windows.front().start)},
            {"end", FormatUtc(r.windows.back().display_end())},
            {"windows", r.windows.size()},
            {"hours", r.hours_mode == HoursMode::kExact ? "exact" : "float"},
            {"shadow", r.shadow},
            {"java_billed_until",
             r.java_billed_until ? Json(FormatUtcMillis(*r.java_billed_until)) : Json()},
            {"differences_total", r.differences},
            {"unexplained", r.unexplained}};
  Json summary = Json::array();
  for (const auto& s : r.summary) {
    summary.push_back({{"usage_type", s.usage_type}, {"class", s.cls}, {"records", s.records},
                       {"java_hours", s.java_hours}, {"usaged_hours", s.usaged_hours}});
  }
  Json types = Json::array();
  for (const auto& x : r.types) {
    types.push_back({{"usage_type", x.usage_type}, {"name", TypeName(x.usage_type)},
                     {"java_records", x.java_records}, {"usaged_records", x.usaged_records},
                     {"java_hours", x.java_hours}, {"usaged_hours", x.usaged_hours},
                     {"difference_percent", Percent(x.java_hours, x.usaged_hours)}});
  }
  // Written piece by piece: the differences are streamed, not held.
  std::string text = head.dump();
  text.pop_back();
  out << text << ",\"summary\":" << summary.dump() << ",\"types\":" << types.dump()
      << ",\"differences\":[";
  bool first = true;
  diffs.ForEach([&](const Json& d) {
    out << (first ? "" : ",") << d.dump();
    first = false;
    return true;
  });
  out << "]}\n";
}

// One CSV with a `section` column: "type" and "summary" rows, then one
// "difference" row each.
void PrintCsv(const compare::CompareReport& r, DifferenceBuffer& diffs, std::ostream& out) {
  std::vector<std::string> columns = {"section", "records", "java_records", "usaged_records",
                                      "java_hours", "usaged_hours", "difference_percent"};
  columns.insert(columns.end(), kDifferenceColumns.begin(), kDifferenceColumns.end());
  auto empty_row = [&] { return std::vector<Json>(columns.size(), nullptr); };
  auto at = [&](const std::string& name) {
    return static_cast<size_t>(std::find(columns.begin(), columns.end(), name) - columns.begin());
  };
  ResultTable t(columns);
  for (const auto& x : r.types) {
    auto row = empty_row();
    row[at("section")] = "type";
    row[at("usage_type")] = x.usage_type;
    row[at("java_records")] = x.java_records;
    row[at("usaged_records")] = x.usaged_records;
    row[at("java_hours")] = x.java_hours;
    row[at("usaged_hours")] = x.usaged_hours;
    row[at("difference_percent")] = Percent(x.java_hours, x.usaged_hours);
    t.Add(std::move(row));
  }
  for (const auto& s : r.summary) {
    auto row = empty_row();
    row[at("section")] = "summary";
    row[at("usage_type")] = s.usage_type;
    row[at("class")] = s.cls;
    row[at("records")] = s.records;
    row[at("java_hours")] = s.java_hours;
    row[at("usaged_hours")] = s.usaged_hours;
    t.Add(std::move(row));
  }
  diffs.ForEach([&](const Json& d) {
    auto row = empty_row();
    row[at("section")] = "difference";
    auto values = DifferenceRow(d);
    for (size_t i = 0; i < kDifferenceColumns.size(); ++i) {
      row[at(kDifferenceColumns[i])] = values[i];
    }
    t.Add(std::move(row));
    return true;
  });
  t.Print(Format::kCsv, out);
}

std::optional<HoursMode> ParseHours(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (text == "exact") return HoursMode::kExact;
  if (text == "float" || text == "compat") return HoursMode::kCloudStackFloat;
  throw InputError(fmt::format("invalid --hours '{}': use exact or float", text));
}

int Run(const GlobalOptions& options, const CompareCliOptions& o) {
  const Format format = ParseFormat(o.format);
  compare::CompareRequest request;
  request.start = ParseUtc(o.start, "--start");
  request.end = ParseUtc(o.end, "--end");
  request.account_id = o.account;
  request.domain_id = o.domain;
  request.usage_type = o.type;
  request.hours_mode = ParseHours(o.hours);
  request.shadow_name = o.shadow;
  request.page_accounts = o.page_accounts;
  auto clock = MakeClock(o.now);
  auto store = OpenStoreFromOptions(options);
  DifferenceBuffer diffs;
  Progress progress("compare");
  compare::CompareReport report = compare::RunCompare(
      *store, request, *clock, [&](const compare::Difference& d) { diffs.Add(d); },
      [&](int64_t done, int64_t total) { progress.Update(done, total); });
  progress.Finish();
  if (format == Format::kJson) {
    PrintJson(report, diffs, std::cout);
  } else if (format == Format::kCsv) {
    PrintCsv(report, diffs, std::cout);
  } else {
    PrintTable(report, diffs, o.limit, std::cout);
  }
  return report.unexplained > 0 ? kExitJobFailed : kExitOk;
}

}  // namespace

void RegisterCompare(CLI::App& app, const GlobalOptions& options, Action& action) {
  auto o = std::make_shared<CompareCliOptions>();
  auto* cmd = app.add_subcommand(
      "compare",
      "Bill a range in a shadow store from CloudStack's own events and compare, window by "
      "window and account by account, with the Java usage server's cloud_usage records; "
      "changes none of CloudStack's tables, so the Java server may keep running. Exit status "
      "1 if a difference has no known cause");
  cmd->add_option("--start", o->start, "Compare the windows that end after this UTC time")
      ->required();
  cmd->add_option("--end", o->end, "... and start before this UTC time")->required();
  auto* account = cmd->add_option("--account", o->account, "Only this account id");
  cmd->add_option("--domain", o->domain, "Only the accounts of this domain and its sub-domains")
      ->excludes(account);
  cmd->add_option("--type", o->type, "Only this usage type id (see `usaged types`)");
  cmd->add_option("--format", o->format, "table, json or csv")->capture_default_str();
  cmd->add_option("--hours", o->hours,
                  "Bill hours `exact` or `float` (as the Java server); default: "
                  "usage.compat.float.hours");
  cmd->add_option("--shadow", o->shadow,
                  "The shadow database usaged works in (default: <usage database>_shadow; "
                  "SQLite: a file beside the store)");
  cmd->add_option("--page-accounts", o->page_accounts, "Accounts compared at once")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--limit", o->limit, "Differences listed in table format (0: all)")
      ->capture_default_str();
  AddNowOption(*cmd, o->now, "Take this UTC time as the current time");
  cmd->callback([&options, &action, o] {
    action = [&options, o] { return Run(options, *o); };
  });
}

}  // namespace usaged::cli
