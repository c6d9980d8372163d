#include "job/restatement.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>

#include "job/unit_rebuild.h"

namespace usaged::job {

std::optional<Instant> BilledUntil(store::Connection& conn) {
  auto until = conn.QueryInt(
      "SELECT max(w.next_millis) FROM ${usage}.usaged_window w WHERE EXISTS (SELECT 1 FROM "
      "${usage}.usaged_unit u WHERE u.window_id = w.id AND u.state = 'done')");
  if (!until) return std::nullopt;
  return FromEpochMillis(*until);
}

int64_t Restatements::Mark(const std::vector<ingest::LateEvent>& events, Instant now) {
  if (events.empty()) return 0;
  store::Transaction tx(conn_);
  int64_t marks = 0;
  for (const auto& e : events) {
    marks += conn_.Run(
        "INSERT INTO ${usage}.usaged_restatement (window_id, shard, account_id, event_id, state, "
        "created_at) SELECT w.id, u.shard, ?, ?, 'pending', ? FROM ${usage}.usaged_window w "
        "JOIN ${usage}.usaged_unit u ON u.window_id = w.id WHERE w.next_millis > ? AND "
        "u.state = 'done' AND u.shard = (? % w.shard_count)",
        e.account_id, e.event_id, now, ToEpochMillis(e.created), e.account_id);
  }
  tx.Commit();
  return marks;
}

std::vector<Restatements::Work> Restatements::Pending() {
  auto& q = conn_.Prepare(
      "SELECT r.window_id, w.start_millis, w.next_millis, r.shard, w.shard_count, r.account_id "
      "FROM ${usage}.usaged_restatement r JOIN ${usage}.usaged_window w ON w.id = r.window_id "
      "WHERE r.state = 'pending' ORDER BY w.start_millis, r.shard");
  std::map<std::pair<int64_t, int>, Work> by_unit;
  std::vector<std::pair<int64_t, int>> order;
  while (q.Next()) {
    auto key = std::make_pair(q.Int(0), static_cast<int>(q.Int(3)));
    auto [it, inserted] = by_unit.try_emplace(key);
    Work& w = it->second;
    if (inserted) {
      w.window_id = key.first;
      w.window = Window{FromEpochMillis(q.Int(1)), FromEpochMillis(q.Int(2))};
      w.shard = key.second;
      w.shard_count = static_cast<int>(q.Int(4));
      order.push_back(key);
    }
    w.accounts.insert(q.Int(5));
  }
  q.Reset();
  std::vector<Work> out;
  for (const auto& key : order) out.push_back(std::move(by_unit[key]));
  return out;
}

int64_t Restatements::Restate(const Work& work, const UsageSettings& settings,
                              const store::AccountDirectory& accounts, int64_t job_id,
                              Instant now) {
  std::string ids;
  for (int64_t a : work.accounts) ids += (ids.empty() ? "" : ",") + std::to_string(a);
  store::Transaction tx(conn_);
  RecordScope scope;
  scope.accounts = work.accounts;
  RebuildResult rebuilt =
      RebuildUnitRecords(conn_, UnitSlice{work.window, work.shard, work.shard_count},
                         settings.hours_mode, accounts, scope, RebuildMode::kReplace);
  const int64_t before = rebuilt.deleted;
  conn_.Exec(fmt::format(
      "UPDATE ${{usage}}.usaged_restatement SET state = 'done', job_id = {}, records_before = {}, "
      "records_after = {}, done_at = '{}' WHERE state = 'pending' AND window_id = {} AND "
      "shard = {}",
      job_id, before, rebuilt.written, FormatUtc(now), work.window_id, work.shard));
  tx.Commit();
  spdlog::info("restated window {} for account(s) {}: {} record(s) replaced by {}",
               FormatUtc(work.window.start), ids, before, rebuilt.written);
  return rebuilt.written;
}

}  // namespace usaged::job
