#include "ingest/statistics.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <utility>
#include <vector>

#include "core/fault_injector.h"
#include "core/window.h"
#include "ingest/counter_deltas.h"
#include "ingest/quarantine.h"
#include "store/account_directory.h"

namespace usaged::ingest {
namespace {

struct PlannedWindow {
  int64_t id = 0;
  Window window;
};

// Windows that still need their snapshot: no mark yet, and no unit parsed
// (a window some of whose units were billed without one - a database from
// before this step - is left alone: its traffic goes to the next window).
std::vector<PlannedWindow> WindowsWithoutSnapshot(store::Connection& conn) {
  auto& q = conn.Prepare(
                    "SELECT w.id, w.start_millis, w.next_millis FROM ${usage}.usaged_window w "
                    "WHERE NOT EXISTS (SELECT 1 FROM ${usage}.usaged_stat_snapshot s "
                    "WHERE s.window_id = w.id) AND NOT EXISTS (SELECT 1 FROM "
                    "${usage}.usaged_unit u WHERE u.window_id = w.id AND u.state = 'done') "
                    "ORDER BY w.start_millis")
                .Bind();
  std::vector<PlannedWindow> out;
  while (q.Next()) {
    out.push_back({q.Int(0), Window{FromEpochMillis(q.Int(1)), FromEpochMillis(q.Int(2))}});
  }
  return out;
}

bool SampledBefore(store::Connection& conn) {
  return conn.QueryInt("SELECT max(window_id) FROM ${usage}.usaged_stat_snapshot").has_value();
}

struct BucketSize {
  int64_t id = 0;
  int64_t account_id = 0;
  int64_t bucket_id = 0;
  int64_t size = 0;
};

// Reads cloud.bucket_statistics; refuses rows with no usable size or an
// unknown account, and of two rows for one bucket uses the later one.
std::vector<BucketSize> ReadBucketSizes(store::Connection& conn,
                                        const store::AccountDirectory& accounts, Instant stamp,
                                        Instant now, StatisticsSummary& summary) {
  auto refuse = [&](int64_t id, std::optional<int64_t> account, const std::string& why) {
    spdlog::warn("bucket_statistics row {} refused: {}", id, why);
    if (QuarantineStatisticsRow(conn, "bucket_statistics", id, account, why, stamp, now)) {
      ++summary.quarantined;
    }
  };
  auto& q = conn.Prepare("SELECT id, account_id, bucket_id, size FROM ${cloud}.bucket_statistics "
                         "ORDER BY id")
                .Bind();
  std::vector<std::tuple<int64_t, std::optional<int64_t>, std::optional<int64_t>,
                         std::optional<int64_t>>>
      raw;
  while (q.Next()) raw.emplace_back(q.Int(0), q.OptInt(1), q.OptInt(2), q.OptInt(3));
  std::map<std::pair<int64_t, int64_t>, BucketSize> latest;
  for (const auto& [id, account, bucket, size] : raw) {
    if (!account || !accounts.Find(*account)) {
      refuse(id, account, fmt::format("account {} is unknown to cloud_usage.account",
                                      account ? std::to_string(*account) : "NULL"));
    } else if (!bucket) {
      refuse(id, account, "bucket_id is NULL");
    } else if (!size) {
      refuse(id, account, "size is NULL");
    } else if (*size < 0) {
      refuse(id, account, fmt::format("size is negative ({})", *size));
    } else {
      BucketSize row{id, *account, *bucket, *size};
      auto [it, inserted] = latest.try_emplace({*account, *bucket}, row);
      if (!inserted) {
        refuse(it->second.id, account,
               fmt::format("bucket {} has a later statistics row ({}), which is used", *bucket,
                           id));
        it->second = row;
      }
    }
  }
  std::vector<BucketSize> out;
  for (const auto& [key, b] : latest) out.push_back(b);
  return out;
}

// CloudStack bills a bucket's size as read at each window (only when > 0);
// usaged records that reading per window so re-parsing gives the same size.
int64_t SnapshotBuckets(store::Connection& conn, const store::AccountDirectory& accounts,
                        const std::vector<PlannedWindow>& windows, Instant now,
                        StatisticsSummary& summary) {
  std::vector<BucketSize> sizes =
      ReadBucketSizes(conn, accounts, windows.back().window.last_millisecond(), now, summary);
  int64_t rows = 0;
  for (const auto& w : windows) {
    for (const auto& b : sizes) {
      if (b.size == 0) continue;
      rows += conn.Run(
          "${insert_ignore} INTO ${usage}.usaged_bucket_usage (account_id, bucket_id, size, "
          "event_time_millis) VALUES (?, ?, ?, ?)",
          b.account_id, b.bucket_id, b.size, ToEpochMillis(w.window.last_millisecond()));
    }
  }
  conn.Exec("DELETE FROM ${usage}.bucket_statistics");
  conn.Exec("${insert_ignore} INTO ${usage}.bucket_statistics (id, account_id, bucket_id, size) "
            "SELECT id, account_id, bucket_id, size FROM ${cloud}.bucket_statistics");
  return rows;
}

}  // namespace

StatisticsOptions StatisticsOptionsFor(const UsageSettings& settings) {
  return {settings.hours_mode == HoursMode::kCloudStackFloat};
}

StatisticsSummary SnapshotStatistics(store::Connection& conn, Instant now,
                                     const StatisticsOptions& options) {
  StatisticsSummary summary;
  store::Transaction tx(conn);
  std::vector<PlannedWindow> windows = WindowsWithoutSnapshot(conn);
  if (windows.empty()) return summary;
  const store::AccountDirectory accounts = store::AccountDirectory::Load(conn);
  const Window& last = windows.back().window;
  // Disk statistics of a VM or volume usaged has no event for are billed as
  // sampled, as CloudStack does: the I/O happened whatever the events say.
  CounterSnapshot counters{&accounts, last.start, last.last_millisecond(), now, options.compat,
                           SampledBefore(conn)};
  CounterResult network = SnapshotCounters(conn, NetworkCounters(), counters);
  CounterResult disk = SnapshotCounters(conn, DiskCounters(), counters);
  summary.network_rows = network.rows;
  summary.disk_rows = disk.rows;
  summary.quarantined = network.quarantined + disk.quarantined;
  summary.resets = network.resets + disk.resets;
  summary.regressions = network.regressions + disk.regressions;
  summary.bucket_rows = SnapshotBuckets(conn, accounts, windows, now, summary);
  for (const auto& w : windows) {
    bool latest = w.id == windows.back().id;
    conn.Run(
        "INSERT INTO ${usage}.usaged_stat_snapshot (window_id, stamp_millis, network_rows, "
        "disk_rows, bucket_rows, quarantined, taken_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        w.id, ToEpochMillis(w.window.last_millisecond()), latest ? summary.network_rows : 0,
        latest ? summary.disk_rows : 0, latest ? summary.bucket_rows : 0,
        latest ? summary.quarantined : 0, now);
  }
  FaultInjector::Global().Hit(FaultInjector::Point::kStatistics);
  tx.Commit();
  summary.windows = static_cast<int64_t>(windows.size());
  spdlog::info("statistics snapshot for {} window(s) up to {}: {} network, {} disk, {} bucket "
               "row(s); {} quarantined, {} counter reset(s), {} counter(s) gone back in place",
               summary.windows, FormatUtc(last.display_end()), summary.network_rows,
               summary.disk_rows, summary.bucket_rows, summary.quarantined, summary.resets,
               summary.regressions);
  return summary;
}

}  // namespace usaged::ingest
