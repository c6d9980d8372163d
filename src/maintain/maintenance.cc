#include "maintain/maintenance.h"

#include <spdlog/spdlog.h>

#include "job/usage_run.h"
#include "job/window_ledger.h"
#include "maintain/retention.h"
#include "maintain/sanity.h"

namespace usaged::maintain {

void RunMaintenanceIfDue(store::Connection& conn, const Clock& clock,
                         const std::atomic<bool>* stop) {
  try {
    if (CleanupDue(conn, clock.Now())) {
      CleanupOptions cleanup;
      cleanup.stop = stop;
      CleanupSummary s = RunCleanup(conn, clock, cleanup);
      if (s.skipped) spdlog::info("daily cleanup postponed: {}", *s.skipped);
    }
  } catch (const std::exception& e) {
    spdlog::error("daily cleanup failed: {}", e.what());
  }
  if (stop && stop->load()) return;
  try {
    const int interval = job::LoadSettings(conn).sanity_check_interval_days;
    if (SanityDue(conn, clock.Now(), interval) && job::WindowLedger(conn).Checkpoint()) {
      RunSanityCheck(conn, clock, SanityOptions{});
    }
  } catch (const std::exception& e) {
    spdlog::error("sanity check failed: {}", e.what());
  }
}

}  // namespace usaged::maintain
