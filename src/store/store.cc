#include "store/store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>

#include <cstring>

#include "core/error.h"
#include "store/sqlite/sqlite_connection.h"

namespace usaged::store {
namespace {

// flock() on DIR/usaged.lock: released by the kernel when the process dies,
// so a killed process never leaves a stale lock behind.
class FileJobLock final : public JobLock {
 public:
  explicit FileJobLock(const std::string& dir) {
    std::string path = dir + "/usaged.lock";
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

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::string dir) : dir_(std::move(dir)) {}
  Engine engine() const override { return Engine::kSqlite; }
  std::string Describe() const override { return "sqlite:" + dir_; }
  std::unique_ptr<Connection> Connect(bool create) override {
    return std::make_unique<SqliteConnection>(dir_, create);
  }
  std::unique_ptr<JobLock> LockJobs() override { return std::make_unique<FileJobLock>(dir_); }

 private:
  std::string dir_;
};

}  // namespace

std::unique_ptr<Store> OpenStore(std::string_view url) {
  if (url.rfind("sqlite:", 0) == 0) {
    std::string dir(url.substr(7));
    if (dir.empty()) {
      throw InputError(fmt::format("invalid --db '{}': sqlite: needs a directory, e.g. "
                                   "sqlite:./usaged-data", url));
    }
    return std::make_unique<SqliteStore>(dir);
  }
  throw InputError(fmt::format(
      "invalid --db '{}': expected sqlite:DIR (e.g. sqlite:./usaged-data)", url));
}

}  // namespace usaged::store
