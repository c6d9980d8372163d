#include "store/store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>

#include <cctype>
#include <cstring>

#include "core/error.h"
#include "store/mariadb/galera.h"
#include "store/mariadb/mariadb_connection.h"
#include "store/sqlite/sqlite_connection.h"

namespace usaged::store {
namespace {

// flock() on DIR/usaged.lock: released by the kernel when the process dies,
// so a killed process never leaves a stale lock behind.
class FileJobLock final : public JobLock {
 public:
  explicit FileJobLock(const std::string& dir, const std::string& file = "usaged.lock") {
    std::string path = dir + "/" + file;
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw DbError(fmt::format("cannot open lock file {}: {}", path, strerror(errno)), errno,
                    false);
    }
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      std::string holder;
      std::ifstream(path) >> holder;
      close(fd_);
      throw DbError(fmt::format("another usaged process{} is running usage jobs on {}; the "
                                "embedded SQLite store allows one at a time (use MariaDB for "
                                "several nodes)",
                                holder.empty() ? "" : " (pid " + holder + ")", dir),
                    0, false);
    }
    std::string pid = std::to_string(getpid()) + "\n";
    if (ftruncate(fd_, 0) == 0) {
      [[maybe_unused]] auto n = write(fd_, pid.data(), pid.size());
    }
  }
  ~FileJobLock() override {
    flock(fd_, LOCK_UN);
    close(fd_);
  }

 private:
  int fd_ = -1;
};

void CheckShadowName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!ok) {
    throw InputError(fmt::format("invalid shadow database name '{}': use 1 to 64 letters, "
                                 "digits or underscores", name));
  }
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::string dir, std::string shadow = "")
      : dir_(std::move(dir)), shadow_(std::move(shadow)) {}
  Engine engine() const override { return Engine::kSqlite; }
  std::string Describe() const override {
    return "sqlite:" + dir_ + (shadow_.empty() ? "" : " (shadow " + shadow_ + ".db)");
  }
  std::unique_ptr<Connection> Connect(bool create) override {
    if (!shadow_.empty()) return std::make_unique<SqliteConnection>(dir_, shadow_ + ".db");
    return std::make_unique<SqliteConnection>(dir_, create);
  }
  std::unique_ptr<JobLock> LockJobs() override {
    if (!shadow_.empty()) return std::make_unique<FileJobLock>(dir_, shadow_ + ".lock");
    return std::make_unique<FileJobLock>(dir_);
  }
  std::unique_ptr<Store> Shadow(const std::string& name) override {
    CheckShadowName(name);
    if (name == "cloud" || name == "cloud_usage") {
      throw InputError(fmt::format("the shadow database cannot be CloudStack's '{}'", name));
    }
    return std::make_unique<SqliteStore>(dir_, name);
  }
  std::string UsageDatabaseName() const override {
    return shadow_.empty() ? "cloud_usage" : shadow_;
  }

 private:
  std::string dir_;
  std::string shadow_;  // non-empty: the usage tables live in DIR/shadow_.db
};

// A named server lock (GET_LOCK) held by a dedicated connection: released by
// the server when the holder's connection ends, including when it is killed.
// On a Galera cluster, where such a lock is local to one DB node, a row lease
// is used instead (store/mariadb/galera.h).
class MariaDbJobLock final : public JobLock {
 public:
  MariaDbJobLock(std::unique_ptr<Connection> conn, const MariaDbParams& params)
      : conn_(std::move(conn)) {
    std::string name = "usaged_jobs:" + params.usage_db;
    auto got = conn_->QueryInt("SELECT GET_LOCK(?, 0)", name);
    if (!got || *got != 1) {
      auto holder = conn_->QueryInt("SELECT IS_USED_LOCK(?)", name);
      throw DbError(fmt::format("another usaged process{} is running usage jobs on {}",
                                holder ? fmt::format(" (MariaDB connection {})", *holder) : "",
                                params.Describe()),
                    0, false);
    }
  }

 private:
  std::unique_ptr<Connection> conn_;
};

class MariaDbStore final : public Store {
 public:
  explicit MariaDbStore(MariaDbParams params) : params_(std::move(params)) {}
  Engine engine() const override { return Engine::kMariaDb; }
  std::string Describe() const override { return params_.Describe(); }
  std::unique_ptr<Connection> Connect(bool create) override {
    return std::make_unique<MariaDbConnection>(params_, create);
  }
  std::unique_ptr<JobLock> LockJobs() override {
    auto conn = std::make_unique<MariaDbConnection>(params_, false);
    if (conn->IsGaleraNode()) return TakeGaleraJobLock(std::move(conn), params_.Describe());
    return std::make_unique<MariaDbJobLock>(std::move(conn), params_);
  }
  std::unique_ptr<Store> Shadow(const std::string& name) override {
    CheckShadowName(name);
    if (name == params_.cloud_db || name == params_.usage_db) {
      throw InputError(fmt::format("the shadow database cannot be CloudStack's '{}'", name));
    }
    MariaDbParams shadow = params_;
    shadow.usage_db = name;
    MariaDbConnection conn(params_, /*create=*/false);
    try {
      conn.Exec("CREATE DATABASE IF NOT EXISTS `" + name + "`");
    } catch (const DbError& e) {
      throw DbError(fmt::format("cannot create the shadow database `{}` on {}: {} (grant the "
                                "usaged user ALL on `{}`.*, or name an existing database)",
                                name, params_.Describe(), e.what(), name),
                    e.code(), false);
    }
    return std::make_unique<MariaDbStore>(std::move(shadow));
  }
  std::string UsageDatabaseName() const override { return params_.usage_db; }

 private:
  MariaDbParams params_;
};

}  // namespace

std::unique_ptr<Store> OpenMariaDbStore(const MariaDbParams& params) {
  return std::make_unique<MariaDbStore>(params);
}

std::unique_ptr<Store> OpenStore(std::string_view url) {
  if (url.rfind("mariadb://", 0) == 0 || url.rfind("mysql://", 0) == 0) {
    std::string normalized(url);
    if (url.rfind("mysql://", 0) == 0) normalized = "mariadb://" + normalized.substr(8);
    return OpenMariaDbStore(ParseMariaDbUrl(normalized));
  }
  if (url.rfind("sqlite:", 0) == 0) {
    std::string dir(url.substr(7));
    if (dir.empty()) {
      throw InputError(fmt::format("invalid --db '{}': sqlite: needs a directory, e.g. "
                                   "sqlite:./usaged-data", url));
    }
    return std::make_unique<SqliteStore>(dir);
  }
  // Never echo what may hold a password.
  std::string shown(url);
  if (url.find('@') != std::string_view::npos) {
    shown = std::string(url.substr(0, url.find(':'))) + ":...";
  }
  throw InputError(fmt::format(
      "invalid --db '{}': expected sqlite:DIR (e.g. sqlite:./usaged-data) or "
      "mariadb://USER[:PASSWORD]@HOST[:PORT]",
      shown));
}

}  // namespace usaged::store
