#include "support/notify_socket.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <sstream>
#include <stdexcept>

namespace usaged::testing {

NotifySocket::NotifySocket() : path_(dir_.path() + "/notify") {
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket(AF_UNIX) failed");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.size() >= sizeof(addr.sun_path)) throw std::runtime_error("socket path too long");
  std::strcpy(addr.sun_path, path_.c_str());
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    throw std::runtime_error("bind " + path_ + ": " + std::strerror(errno));
  }
}

NotifySocket::~NotifySocket() {
  if (fd_ >= 0) close(fd_);
}

const std::vector<std::string>& NotifySocket::Messages() {
  char buffer[4096];
  for (;;) {
    ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n < 0) break;  // EAGAIN: nothing more waiting
    messages_.emplace_back(buffer, static_cast<size_t>(n));
  }
  return messages_;
}

int NotifySocket::Count(const std::string& line) {
  int count = 0;
  for (const std::string& message : Messages()) {
    std::istringstream in(message);
    std::string got;
    while (std::getline(in, got)) {
      if (got == line) {
        ++count;
        break;
      }
    }
  }
  return count;
}

bool NotifySocket::WaitForLine(const std::string& line, std::chrono::milliseconds timeout) {
  return WaitFor([&] { return Count(line) > 0; }, timeout);
}

}  // namespace usaged::testing
