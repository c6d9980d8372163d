#include "job/job_log.h"

#include <fmt/format.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "alert/alert.h"
#include "core/error.h"

namespace usaged::job {

std::string_view ToString(JobKind kind) {
  switch (kind) {
    case JobKind::kRun: return "RUN";
    case JobKind::kRestate: return "RESTATE";
    case JobKind::kGenerate: return "GENERATE";
    case JobKind::kRegenerate: return "REGENERATE";
    case JobKind::kCleanup: return "CLEANUP";
    case JobKind::kRepair: return "REPAIR";
    case JobKind::kSanity: return "SANITY";
  }
  return "?";
}

std::string_view ToString(JobState state) {
  switch (state) {
    case JobState::kRunning: return "RUNNING";
    case JobState::kSucceeded: return "SUCCEEDED";
    case JobState::kFailed: return "FAILED";
    case JobState::kInterrupted: return "INTERRUPTED";
  }
  return "?";
}

std::string HostName() {
  // As the Java server writes it: "<hostname>/<address>".
  char name[256] = {0};
  if (gethostname(name, sizeof name - 1) != 0) std::strcpy(name, "localhost");
  std::string address = "127.0.0.1";
  addrinfo hints{};
  hints.ai_family = AF_INET;
  addrinfo* found = nullptr;
  if (getaddrinfo(name, nullptr, &hints, &found) == 0 && found) {
    char text[INET_ADDRSTRLEN] = {0};
    auto* in = reinterpret_cast<sockaddr_in*>(found->ai_addr);
    if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) address = text;
    freeaddrinfo(found);
  }
  return std::string(name) + "/" + address;
}

int64_t JobLog::Start(const JobStart& s, Instant now) {
  store::Transaction tx(conn_);
  int64_t id = StartInTransaction(s, now);
  tx.Commit();
  return id;
}

int64_t JobLog::StartInTransaction(const JobStart& s, Instant now) {
  if (s.range_start > s.range_end) {
    throw Error(fmt::format("refusing to record a job whose start {} is after its end {}",
                            FormatUtc(s.range_start), FormatUtc(s.range_end)));
  }
  conn_.Run(
      "INSERT INTO ${usage}.usaged_job (kind, state, scope_account_id, scope_domain_id, "
      "scope_usage_type, reason, requester, range_start, range_end, units_total, host, pid, "
      "created_at) VALUES (?, 'RUNNING', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ToString(s.kind), s.scope_account_id, s.scope_domain_id, s.scope_usage_type, s.reason,
      s.requester, s.range_start, s.range_end, s.units_total, HostName(),
      static_cast<int64_t>(getpid()), now);
  return conn_.LastInsertId();
}

void JobLog::AddUnitDone(int64_t job_id, int64_t records) {
  conn_.Run(
      "UPDATE ${usage}.usaged_job SET units_done = units_done + 1, records = records + ? "
      "WHERE id = ?",
      records, job_id);
}

void JobLog::AddUnitDoneOutsideUnit(int64_t job_id, int64_t records) {
  store::Transaction tx(conn_);
  AddUnitDone(job_id, records);
  tx.Commit();
}

void JobLog::AddUnitFailed(int64_t job_id) {
  store::Transaction tx(conn_);
  conn_.Run("UPDATE ${usage}.usaged_job SET units_failed = units_failed + 1 WHERE id = ?", job_id);
  tx.Commit();
}

void JobLog::Finish(int64_t job_id, JobState state, const std::optional<std::string>& error,
                    Instant now) {
  store::Transaction tx(conn_);
  conn_.Run("UPDATE ${usage}.usaged_job SET state = ?, error = ?, finished_at = ? WHERE id = ?",
            ToString(state), error, now, job_id);
  if (state == JobState::kFailed) RaiseJobFailed(job_id, error, now);
  tx.Commit();
}

void JobLog::FinishWithOwnAlert(int64_t job_id, JobState state,
                                const std::optional<std::string>& error, Instant now) {
  conn_.Run("UPDATE ${usage}.usaged_job SET state = ?, error = ?, finished_at = ? WHERE id = ?",
            ToString(state), error, now, job_id);
}

void JobLog::RaiseJobFailed(int64_t job_id, const std::optional<std::string>& error,
                            Instant now) {
  auto& q = conn_.Prepare(
                     "SELECT kind, range_start, range_end, units_done, units_failed, units_total "
                     "FROM ${usage}.usaged_job WHERE id = ?")
                .Bind(job_id);
  std::string content = fmt::format("usaged job {} failed", job_id);
  if (q.Next()) {
    auto start = q.OptTime(1), end = q.OptTime(2);
    content = fmt::format(
        "usaged {} job {} failed at {} UTC.\nRange: {} to {}\nUnits: {} done, {} failed, {} in "
        "all.",
        q.Text(0), job_id, FormatUtc(now), start ? FormatUtc(*start) : "-",
        end ? FormatUtc(*end) : "-", q.Int(3), q.Int(4), q.Int(5));
  }
  q.Reset();
  if (error) content += "\nError: " + *error;
  content += "\nFailed units are retried by the next run; `usaged jobs` shows the job.";
  alert::RaiseAlert(conn_, now, alert::alert_type::kJobFailed, "usaged: a usage job failed",
                    content);
}

void JobLog::RaiseJobsStopped(int64_t count, Instant now) {
  alert::RaiseAlert(conn_, now, alert::alert_type::kJobFailed, "usaged: a usage job failed",
                    fmt::format("{} usaged job(s) did not finish: the process running them "
                                "stopped (killed, crashed or lost its database). Units they "
                                "did not commit are retried by the next run; `usaged jobs` "
                                "shows them as INTERRUPTED.",
                                count));
}

int64_t JobLog::MarkInterrupted(Instant now) {
  store::Transaction tx(conn_);
  int64_t n = conn_.Run(
      "UPDATE ${usage}.usaged_job SET state = 'INTERRUPTED', finished_at = ?, "
      "error = 'the process running this job stopped before it finished' "
      "WHERE state = 'RUNNING' AND kind NOT IN ('GENERATE', 'REGENERATE')",
      now);
  if (n > 0) RaiseJobsStopped(n, now);
  tx.Commit();
  return n;
}

std::vector<JobRecord> JobLog::List(int limit) {
  auto& q = conn_.Prepare(
                     "SELECT id, kind, state, scope_account_id, scope_domain_id, "
                     "scope_usage_type, reason, requester, range_start, range_end, units_total, "
                     "units_done, units_failed, records, host, pid, created_at, finished_at, error "
                     "FROM ${usage}.usaged_job ORDER BY id DESC LIMIT ?")
                .Bind(limit);
  std::vector<JobRecord> out;
  while (q.Next()) {
    JobRecord r;
    r.id = q.Int(0);
    r.kind = q.Text(1);
    r.state = q.Text(2);
    r.scope_account_id = q.OptInt(3);
    r.scope_domain_id = q.OptInt(4);
    if (auto t = q.OptInt(5)) r.scope_usage_type = static_cast<int>(*t);
    r.reason = q.OptText(6);
    r.requester = q.OptText(7);
    r.range_start = q.OptTime(8);
    r.range_end = q.OptTime(9);
    r.units_total = q.Int(10);
    r.units_done = q.Int(11);
    r.units_failed = q.Int(12);
    r.records = q.Int(13);
    r.host = q.OptText(14).value_or("");
    r.pid = q.OptInt(15).value_or(0);
    r.created_at = q.Time(16);
    r.finished_at = q.OptTime(17);
    r.error = q.OptText(18);
    out.push_back(std::move(r));
  }
  return out;
}

void JobLog::WriteCloudStackJob(Instant start, Instant end_inclusive, int64_t exec_ms,
                                bool success, Instant now) {
  if (start > end_inclusive) {
    throw Error(fmt::format("refusing to write a usage_job row with start {} after end {}",
                            FormatUtcMillis(start), FormatUtcMillis(end_inclusive)));
  }
  std::optional<store::Transaction> tx;
  if (!conn_.InTransaction()) tx.emplace(conn_);
  conn_.Run(
      "INSERT INTO ${usage}.usage_job (host, pid, job_type, scheduled, start_millis, end_millis, "
      "exec_time, start_date, end_date, success, heartbeat) VALUES (?, ?, 0, 0, ?, ?, ?, ?, ?, ?, ?)",
      HostName(), static_cast<int64_t>(getpid()), ToEpochMillis(start),
      ToEpochMillis(end_inclusive), exec_ms, start, end_inclusive, success ? 1 : 0, now);
  if (tx) tx->Commit();
}

std::optional<int64_t> JobLog::LastSuccessEndMillis() {
  return conn_.QueryInt(
      "SELECT max(end_millis) FROM ${usage}.usage_job WHERE success = 1 AND end_millis > 0");
}

}  // namespace usaged::job
