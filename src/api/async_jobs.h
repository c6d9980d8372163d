#pragma once

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "api/caller.h"
#include "core/clock.h"
#include "store/connection.h"
#include "store/store.h"

namespace usaged::api {

// A row of usaged_async_job, as queryAsyncJobResult reports it.
struct AsyncJobRow {
  std::string uuid;
  std::string command;
  int64_t account_id = 0;
  std::optional<int64_t> domain_id;
  int status = 0;  // 0 pending, 1 succeeded, 2 failed (CloudStack's jobstatus)
  int result_code = 0;
  nlohmann::ordered_json result;
  Instant created_at{};
  std::optional<Instant> completed_at;
};

// CloudStack-style asynchronous jobs: Submit records a pending job and returns
// its id at once; one worker thread (with its own connection) runs the jobs
// in order and records each result. Jobs left pending by a server process of
// this host that no longer runs are failed when the next one starts.
class AsyncJobs {
 public:
  // The result object of a job (its "jobresult"); throws on failure.
  using Work = std::function<nlohmann::ordered_json(store::Connection&)>;

  AsyncJobs(store::Store& store, const Clock& clock);
  ~AsyncJobs();  // finishes the job in progress; queued ones stay pending
  AsyncJobs(const AsyncJobs&) = delete;
  AsyncJobs& operator=(const AsyncJobs&) = delete;

  std::string Submit(store::Connection& conn, const std::string& command, const Caller& caller,
                     Work work);
  static std::optional<AsyncJobRow> Find(store::Connection& conn, const std::string& uuid);

 private:
  struct Queued {
    std::string uuid;
    Work work;
  };
  void Loop();
  void RunOne(store::Connection& conn, Queued& job);

  store::Store& store_;
  const Clock& clock_;
  const std::string owner_;  // host:pid
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Queued> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

// A random RFC 4122 version-4 UUID.
std::string NewUuid();

}  // namespace usaged::api
