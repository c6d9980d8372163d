#include "api/async_jobs.h"

#include <fmt/format.h>
#include <openssl/rand.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "api/response.h"
#include "core/error.h"
#include "job/job_log.h"

namespace usaged::api {

std::string NewUuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw Error("no random bytes from OpenSSL");
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string s;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += fmt::format("{:02x}", b[i]);
  }
  return s;
}

namespace {

std::string ThisProcess() { return fmt::format("{}:{}", job::HostName(), getpid()); }

// Fails the pending jobs of server processes on this host that no longer run
// (other hosts' servers fail their own when they restart).
int64_t FailOrphans(store::Connection& conn, Instant now) {
  std::string host = job::HostName() + ":";
  std::vector<std::string> dead;
  auto& q = conn.Prepare("SELECT DISTINCT owner FROM ${usage}.usaged_async_job WHERE status = 0");
  q.Reset();
  while (q.Next()) {
    std::string owner = q.Text(0);
    if (!owner.starts_with(host)) continue;
    pid_t pid = static_cast<pid_t>(std::atoll(owner.c_str() + host.size()));
    if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH)) dead.push_back(owner);
  }
  int64_t failed = 0;
  for (const auto& owner : dead) {
    failed += conn.Run("UPDATE ${usage}.usaged_async_job SET status = 2, result_code = 530, "
                       "result = ?, completed_at = ? WHERE status = 0 AND owner = ?",
                       std::string(R"({"errorcode":530,"errortext":"the server stopped before )"
                                   R"(the job ran"})"),
                       now, owner);
  }
  return failed;
}

}  // namespace

AsyncJobs::AsyncJobs(store::Store& store, const Clock& clock)
    : store_(store), clock_(clock), owner_(ThisProcess()) {
  auto conn = store_.Connect();
  if (int64_t n = FailOrphans(*conn, clock_.Now())) {
    spdlog::warn("{} API job(s) left pending by a stopped server marked failed", n);
  }
  worker_ = std::thread([this] { Loop(); });
}

AsyncJobs::~AsyncJobs() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

std::string AsyncJobs::Submit(store::Connection& conn, const std::string& command,
                              const Caller& caller, Work work) {
  std::string uuid = NewUuid();
  conn.Run("INSERT INTO ${usage}.usaged_async_job (uuid, command, account_id, domain_id, status, "
           "owner, created_at) VALUES (?, ?, ?, ?, 0, ?, ?)",
           uuid, command, caller.account_id, caller.domain_id, owner_, clock_.Now());
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back({uuid, std::move(work)});
  }
  wake_.notify_all();
  return uuid;
}

void AsyncJobs::Loop() {
  std::unique_ptr<store::Connection> conn;
  while (true) {
    Queued job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      if (!conn) conn = store_.Connect();
      RunOne(*conn, job);
    } catch (const std::exception& e) {
      // Recording the outcome failed (database gone): drop the connection so
      // the next job reconnects; this job stays pending until a restart.
      spdlog::error("API job {}: {}", job.uuid, e.what());
      conn.reset();
    }
  }
}

void AsyncJobs::RunOne(store::Connection& conn, Queued& job) {
  nlohmann::ordered_json result;
  int status = 1;
  int code = 0;
  try {
    result = job.work(conn);
  } catch (const ApiError& e) {
    status = 2;
    code = e.code();
    result = {{"errorcode", e.code()}, {"errortext", e.what()}};
  } catch (const std::exception& e) {
    status = 2;
    code = error_code::kInternalError;
    result = {{"errorcode", code}, {"errortext", e.what()}};
  }
  if (conn.InTransaction()) conn.Rollback();
  conn.Run("UPDATE ${usage}.usaged_async_job SET status = ?, result_code = ?, result = ?, "
           "completed_at = ? WHERE uuid = ?",
           status, code, result.dump(), clock_.Now(), job.uuid);
}

std::optional<AsyncJobRow> AsyncJobs::Find(store::Connection& conn, const std::string& uuid) {
  auto& q = conn.Prepare("SELECT uuid, command, account_id, domain_id, status, result_code, "
                         "result, created_at, completed_at FROM ${usage}.usaged_async_job WHERE "
                         "uuid = ?");
  q.Bind(uuid);
  if (!q.Next()) return std::nullopt;
  AsyncJobRow r;
  r.uuid = q.Text(0);
  r.command = q.Text(1);
  r.account_id = q.Int(2);
  r.domain_id = q.OptInt(3);
  r.status = static_cast<int>(q.Int(4));
  r.result_code = static_cast<int>(q.Int(5));
  if (auto text = q.OptText(6)) {
    r.result = nlohmann::ordered_json::parse(*text, nullptr, /*allow_exceptions=*/false);
  }
  r.created_at = q.Time(7);
  r.completed_at = q.OptTime(8);
  q.Reset();
  return r;
}

}  // namespace usaged::api
