#include "store/mariadb/galera.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "core/error.h"
#include "store/retry.h"

namespace usaged::store {

namespace {

constexpr int64_t kJobLeaseMs = 30000;

int64_t NowMillis(Connection& conn) {
  return *conn.QueryInt("SELECT CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)");
}

class GaleraJobLock final : public JobLock {
 public:
  GaleraJobLock(std::unique_ptr<Connection> conn, const std::string& where)
      : conn_(std::move(conn)), owner_(NewOwner()) {
    conn_->Exec("SET SESSION wsrep_sync_wait = 1");
    RetryTransient("taking the job lock", [&] { Take(where); });
    thread_ = std::thread([this] { RenewUntilReleased(); });
  }

  ~GaleraJobLock() override {
    {
      std::lock_guard lock(mu_);
      released_ = true;
    }
    wake_.notify_all();
    thread_.join();
    try {
      RetryTransient("releasing the job lock", [&] {
        conn_->Run(
            "UPDATE ${usage}.usaged_lease SET node_id = NULL, expires_millis = 0 "
            "WHERE name = 'jobs' AND node_id = ?",
            owner_);
      }, 3);
    } catch (const std::exception& e) {
      spdlog::warn("could not release the job lock (it expires in {} s): {}", kJobLeaseMs / 1000,
                   e.what());
    }
  }

 private:
  // Negative, so it is never the id of a usaged node.
  static int64_t NewOwner() {
    std::random_device rd;
    return -static_cast<int64_t>(((uint64_t{rd()} << 31) ^ rd()) | 1);
  }

  void Take(const std::string& where) {
    Transaction tx(*conn_);
    conn_->Run("${insert_ignore} INTO ${usage}.usaged_lease (name) VALUES ('jobs')");
    auto& q = conn_->Prepare(
                       "SELECT node_id, expires_millis FROM ${usage}.usaged_lease "
                       "WHERE name = 'jobs' FOR UPDATE")
                  .Bind();
    bool held = false;
    int64_t now = NowMillis(*conn_);
    if (q.Next()) held = !q.IsNull(0) && q.Int(1) > now;
    q.Reset();
    if (held) {
      throw DbError(fmt::format("another usaged process is running usage jobs on {} (the job "
                                "lock of this Galera cluster is held; a process that died "
                                "releases it within {} s)",
                                where, kJobLeaseMs / 1000),
                    0, false);
    }
    conn_->Run(
        "UPDATE ${usage}.usaged_lease SET node_id = ?, expires_millis = ?, token = token + 1 "
        "WHERE name = 'jobs'",
        owner_, now + kJobLeaseMs);
    tx.Commit();
  }

  void RenewUntilReleased() {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(kJobLeaseMs / 3),
                           [this] { return released_; })) {
      lock.unlock();
      try {
        RetryTransient("renewing the job lock", [&] {
          conn_->Run(
              "UPDATE ${usage}.usaged_lease SET expires_millis = ? WHERE name = 'jobs' AND "
              "node_id = ?",
              NowMillis(*conn_) + kJobLeaseMs, owner_);
        }, 3);
      } catch (const std::exception& e) {
        spdlog::warn("renewing the job lock failed: {}", e.what());
      }
      lock.lock();
    }
  }

  std::unique_ptr<Connection> conn_;
  const int64_t owner_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool released_ = false;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<JobLock> TakeGaleraJobLock(std::unique_ptr<Connection> conn,
                                           const std::string& where) {
  return std::make_unique<GaleraJobLock>(std::move(conn), where);
}

}  // namespace usaged::store
