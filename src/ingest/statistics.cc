#include "ingest/statistics.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
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

std::set<int64_t> Ids(store::Connection& conn, std::string_view sql) {
  auto& q = conn.Prepare(sql).Bind();
  std::set<int64_t> out;
  while (q.Next()) out.insert(q.Int(0));
  return out;
}

// Disk statistics name a VM and a volume; usaged knows them from their
// events (helper rows). 0 means "none" in CloudStack's rows. Only the ids the
// statistics name are looked up (through the helper tables' id indexes), so
// the cost does not grow with the helper tables' history.
std::function<std::string(int64_t, int64_t)> KnownVmAndVolume(store::Connection& conn) {
  auto vms = std::make_shared<std::set<int64_t>>(
      Ids(conn, "SELECT DISTINCT d.vm_id FROM ${cloud}.vm_disk_statistics d WHERE EXISTS "
                "(SELECT 1 FROM ${usage}.usage_vm_instance v WHERE v.vm_instance_id = d.vm_id)"));
  auto volumes = std::make_shared<std::set<int64_t>>(
      Ids(conn, "SELECT DISTINCT d.volume_id FROM ${cloud}.vm_disk_statistics d WHERE EXISTS "
                "(SELECT 1 FROM ${usage}.usage_volume v WHERE v.volume_id = d.volume_id)"));
  return [vms, volumes](int64_t vm, int64_t volume) -> std::string {
    if (vm != 0 && !vms->count(vm)) return fmt::format("VM {} is unknown (no VM event)", vm);
    if (volume != 0 && !volumes->count(volume)) {
      return fmt::format("volume {} is unknown (no volume event)", volume);
    }
    return "";
  };
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

StatisticsSummary SnapshotStatistics(store::Connection& conn, Instant now) {
  StatisticsSummary summary;
  store::Transaction tx(conn);
  std::vector<PlannedWindow> windows = WindowsWithoutSnapshot(conn);
  if (windows.empty()) return summary;
  const store::AccountDirectory accounts = store::AccountDirectory::Load(conn);
  const Window& last = windows.back().window;
  CounterSnapshot counters{&accounts, last.start, last.last_millisecond(), now, nullptr};
  CounterResult network = SnapshotCounters(conn, NetworkCounters(), counters);
  counters.check_key = KnownVmAndVolume(conn);
  CounterResult disk = SnapshotCounters(conn, DiskCounters(), counters);
  summary.network_rows = network.rows;
  summary.disk_rows = disk.rows;
  summary.quarantined = network.quarantined + disk.quarantined;
  summary.resets = network.resets + disk.resets;
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
               "row(s); {} quarantined, {} counter reset(s)",
               summary.windows, FormatUtc(last.display_end()), summary.network_rows,
               summary.disk_rows, summary.bucket_rows, summary.quarantined, summary.resets);
  return summary;
}

}  // namespace usaged::ingest
