#include "job/cloudstack_jobs.h"

#include <spdlog/spdlog.h>

namespace usaged::job {

namespace {
constexpr int kRecurring = 0;
constexpr int kSingle = 1;
// The Java server's hard-coded take-over delay.
constexpr std::chrono::minutes kSilentOwner(5);
}  // namespace

CloudStackJobProtocol::CloudStackJobProtocol(store::Connection& conn, std::string host,
                                             int64_t pid)
    : conn_(conn), host_(std::move(host)), pid_(pid) {}

bool CloudStackJobProtocol::Heartbeat(Instant now) {
  store::Transaction tx(conn_);
  auto& open = conn_.Prepare(
      "SELECT id, host, pid, heartbeat FROM ${usage}.usage_job WHERE end_millis = 0 AND "
      "job_type = ? ORDER BY id DESC LIMIT 1");
  open.Bind(kRecurring);
  bool owned = false;
  if (!open.Next()) {
    open.Reset();
    conn_.Run("INSERT INTO ${usage}.usage_job (host, pid, job_type, scheduled, start_millis, "
              "end_millis, exec_time, heartbeat) VALUES (?, ?, ?, 0, 0, 0, 0, ?)",
              host_, pid_, kRecurring, now);
    spdlog::info("usage_job: registered as the active usage server ({}, pid {})", host_, pid_);
    owned = true;
  } else {
    int64_t id = open.Int(0);
    bool mine = open.OptText(1).value_or("") == host_ && open.OptInt(2).value_or(0) == pid_;
    std::optional<Instant> beat = open.OptTime(3);
    std::string owner = open.OptText(1).value_or("?");
    open.Reset();
    if (mine || !beat || now - *beat > kSilentOwner) {
      conn_.Run("UPDATE ${usage}.usage_job SET host = ?, pid = ?, heartbeat = ?, scheduled = 0 "
                "WHERE id = ?",
                host_, pid_, now, id);
      if (!mine) {
        spdlog::info("usage_job: took over from silent usage server {} (job row {})", owner, id);
      }
      owned = true;
    }
  }
  tx.Commit();
  return owned;
}

std::optional<int64_t> CloudStackJobProtocol::ClaimRequestedRun() {
  store::Transaction tx(conn_);
  auto id = conn_.QueryInt(
      "SELECT max(id) FROM ${usage}.usage_job WHERE end_millis = 0 AND job_type = ? AND "
      "scheduled = 0",
      kSingle);
  if (!id) return std::nullopt;
  // Whoever changes the row first runs it; another server finds it scheduled.
  if (conn_.Run("UPDATE ${usage}.usage_job SET scheduled = 1, host = ?, pid = ? WHERE id = ? "
                "AND scheduled = 0",
                host_, pid_, *id) != 1) {
    return std::nullopt;
  }
  tx.Commit();
  return id;
}

void CloudStackJobProtocol::FinishRequestedRun(int64_t row_id, const RunSummary& summary,
                                               int64_t exec_ms) {
  Instant end = summary.checkpoint ? *summary.checkpoint - Millis(1) : Instant{};
  Instant start = end;
  if (summary.job_id) {
    auto& q = conn_.Prepare("SELECT range_start FROM ${usage}.usaged_job WHERE id = ?");
    q.Bind(*summary.job_id);
    if (q.Next() && !q.IsNull(0)) start = std::min(q.Time(0), end);
    q.Reset();
  }
  store::Transaction tx(conn_);
  conn_.Run("UPDATE ${usage}.usage_job SET start_millis = ?, end_millis = ?, exec_time = ?, "
            "start_date = ?, end_date = ?, success = ? WHERE id = ?",
            ToEpochMillis(start), std::max<int64_t>(ToEpochMillis(end), 1), exec_ms, start, end,
            summary.ok() ? 1 : 0, row_id);
  tx.Commit();
}

}  // namespace usaged::job
