#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "support/test_env.h"

namespace usaged::testing {

// The socket systemd gives a Type=notify service (NOTIFY_SOCKET): a Unix
// datagram socket in a temporary directory that keeps every message a
// process under test sends with sd_notify.
class NotifySocket {
 public:
  NotifySocket();
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& path() const { return path_; }
  // Every message received so far, oldest first (reads what is waiting).
  const std::vector<std::string>& Messages();
  // Waits until a message holds `line` as one of its lines.
  bool WaitForLine(const std::string& line,
                   std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // How many messages hold `line`.
  int Count(const std::string& line);

 private:
  TempDir dir_;
  std::string path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
};

}  // namespace usaged::testing
