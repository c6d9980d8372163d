#include <fmt/format.h>

#include <iostream>

#include "cli/app.h"
#include "cli/output.h"
#include "maintain/repair.h"

namespace usaged::cli {
namespace {

struct RepairCliOptions {
  bool dry_run = false;
  NowOption now;
  std::string format = "table";
  int64_t batch_rows = 5000;
};

nlohmann::ordered_json Json(const std::optional<int64_t>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
}
nlohmann::ordered_json Json(const std::optional<std::string>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
}
nlohmann::ordered_json Json(const std::optional<Instant>& v) {
  return v ? nlohmann::ordered_json(FormatUtc(*v)) : nlohmann::ordered_json();
}

// The report as rows; the last row says where billing continues, so every
// format carries it.
ResultTable ReportTable(const maintain::RepairReport& report) {
  ResultTable table({"table", "problem", "usage_type", "event_type", "account_id", "rows",
                     "first", "last", "action"});
  for (const auto& f : report.findings) {
    table.Add({f.table, f.problem, Json(f.usage_type), Json(f.event_type), Json(f.account_id),
               f.rows, Json(f.first), Json(f.last), f.action});
  }
  table.Add({"usaged", "checkpoint", nullptr, nullptr, nullptr, 0, Json(report.continue_from),
             nullptr, report.continue_from ? "billing continues at first" : "nothing to bill"});
  return table;
}

}  // namespace

void RegisterRepair(CLI::App& app, const GlobalOptions& options, Action& action) {
  auto opts = std::make_shared<RepairCliOptions>();
  auto* cmd = app.add_subcommand(
      "repair",
      "Find and repair what the Java usage server left behind: duplicate records (by natural "
      "key), inverted or unfinished usage_job rows, duplicate events, duplicate or overlapping "
      "helper rows. Removed rows are kept in *_removed audit tables");
  cmd->add_flag("--dry-run", opts->dry_run, "Only report; change nothing");
  AddNowOption(*cmd, opts->now,
               "Take this UTC time as the current time (\"YYYY-MM-DD HH:MM:SS\")");
  cmd->add_option("--format", opts->format, "table, json or csv")->capture_default_str();
  cmd->add_option("--batch-rows", opts->batch_rows,
                  "cloud_usage rows per transaction (whole windows)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->callback([&options, &action, opts] {
    action = [&options, opts] {
      const Format format = ParseFormat(opts->format);
      auto clock = MakeClock(opts->now);
      auto store = OpenStoreFromOptions(options);
      auto conn = store->Connect(/*create=*/false);
      std::unique_ptr<store::JobLock> lock;
      if (!opts->dry_run) lock = store->LockJobs();
      maintain::RepairOptions repair;
      repair.dry_run = opts->dry_run;
      repair.now = clock->Now();
      repair.batch_rows = opts->batch_rows;
      maintain::RepairReport report = maintain::RepairDatabase(*conn, repair);
      ReportTable(report).Print(format, std::cout);
      if (format == Format::kTable) {
        std::cout << fmt::format("{}{} row(s) changed\n",
                                 opts->dry_run ? "dry run: nothing changed; " : "",
                                 report.changed_rows);
      }
      return kExitOk;
    };
  });
}

}  // namespace usaged::cli
