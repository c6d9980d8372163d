#include <fmt/format.h>

#include <iostream>

#include "cli/app.h"
#include "cli/output.h"
#include "cli/record_query.h"
#include "core/error.h"
#include "job/usage_run.h"
#include "maintain/record_checks.h"
#include "sim/demo_cloud.h"
#include "store/configuration.h"
#include "store/migrator.h"

namespace usaged::cli {
namespace {

struct DemoOptions {
  int days = 3;
  std::string start = "2026-03-01 00:00:00";
};

}  // namespace

void RegisterDemo(CLI::App& app, const GlobalOptions& options, Action& action) {
  auto opts = std::make_shared<DemoOptions>();
  auto* cmd = app.add_subcommand(
      "demo", "Create a small simulated cloud in an empty --db, run the daily usage job for "
              "each simulated day and print the records");
  cmd->add_option("--days", opts->days, "Simulated days to bill (1-365)")
      ->capture_default_str()
      ->check(CLI::Range(1, 365));
  cmd->add_option("--start", opts->start, "First simulated day (UTC)")->capture_default_str();
  cmd->callback([&options, &action, opts] {
    action = [&options, opts] {
      Instant start = FloorToSecond(ParseUtc(opts->start, "--start"));
      auto store = OpenStoreFromOptions(options, DropIn::kNever);
      auto conn = store->Connect(/*create=*/true);
      store::Migrator(*conn).Up(start);
      store::Configuration(*conn).InsertMissingDefaults();
      if (conn->QueryInt("SELECT count(*) FROM ${cloud}.usage_event").value_or(0) > 0 ||
          conn->QueryInt("SELECT count(*) FROM ${cloud}.account").value_or(0) > 0) {
        throw InputError(fmt::format("{} already holds a cloud; the demo needs an empty "
                                     "database (use --db sqlite:NEW_DIRECTORY)",
                                     store->Describe()));
      }
      auto lock = store->LockJobs();
      sim::WriteDemoCloud(*conn, start);
      std::cout << fmt::format("Simulated cloud written to {}; running the daily usage job at "
                               "00:10 of each of the {} following day(s)\n\n",
                               store->Describe(), opts->days);
      bool all_ok = true;
      for (int day = 1; day <= opts->days; ++day) {
        ManualClock clock(start + std::chrono::hours(24 * day) + std::chrono::minutes(10));
        auto summary = job::RunDueWindows(*conn, clock);
        all_ok = all_ok && summary.ok();
        std::cout << fmt::format("run --once --now \"{}\": {} record(s), checkpoint {}\n",
                                 FormatUtc(clock.Now()), summary.records,
                                 summary.checkpoint ? FormatUtc(*summary.checkpoint) : "none");
      }
      ResultTable all = RecordTable(*conn, RecordFilter{});
      std::cout << "\n";
      // The columns that tell two records of one window and account apart
      // (what their types group by): zone, VM, offering, size and state
      // beside the resource id.
      all.Select({"start_date", "end_date", "zone_id", "account_id", "usage_type", "usage_id",
                  "vm_instance_id", "offering_id", "size", "state", "usage_display",
                  "description"})
          .Print(Format::kTable, std::cout);
      int64_t duplicates = maintain::CountDuplicateRecords(*conn);
      std::cout << fmt::format("\n{} record(s), {} duplicates\n", all.size(), duplicates);
      return all_ok && duplicates == 0 ? kExitOk : kExitJobFailed;
    };
  });
}

}  // namespace usaged::cli
