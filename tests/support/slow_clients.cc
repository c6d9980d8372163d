#include "support/slow_clients.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace usaged::testing {
namespace {

using Clock = std::chrono::steady_clock;

// A request header that never ends: one byte of it per interval keeps a
// naive server reading for hours.
const std::string kTrickle =
    "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + std::string(4096, 'a');

struct Slot {
  bool trickling = false;
  int fd = -1;
  bool established = false;
  bool answered = false;
  Clock::time_point since;       // established (or connect started)
  Clock::time_point next_byte;
  size_t sent = 0;
};

}  // namespace

long RaiseOpenFileLimit(long wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  rlim_t target = static_cast<rlim_t>(wanted);
  if (limit.rlim_max != RLIM_INFINITY && target > limit.rlim_max) target = limit.rlim_max;
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= target) {
    return static_cast<long>(limit.rlim_cur);
  }
  limit.rlim_cur = target;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  return static_cast<long>(target);
}

SlowClients::SlowClients(SlowClientsOptions options) : options_(options) {
  thread_ = std::thread([this] { Run(); });
}

SlowClients::~SlowClients() { Stop(); }

SlowClientsReport SlowClients::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  return report_;
}

void SlowClients::Run() {
  std::vector<Slot> slots(options_.silent + options_.trickling);
  for (int i = 0; i < options_.trickling; ++i) slots[i].trickling = true;
  auto& r = report_;
  auto lived = [](const Slot& s, Clock::time_point now) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now - s.since);
  };
  auto close_slot = [&](Slot& s) {
    if (s.fd >= 0) close(s.fd);
    if (s.established) --open_;
    s.fd = -1;
    s.established = false;
    s.answered = false;
    s.sent = 0;
  };
  auto connect_slot = [&](Slot& s, size_t index) {
    s.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s.fd < 0) {
      ++r.connect_failures;
      return;
    }
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_addr.s_addr =
        htonl(INADDR_LOOPBACK + 1 + static_cast<uint32_t>(index % options_.source_addresses));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(static_cast<uint16_t>(options_.port));
    s.since = Clock::now();
    if (bind(s.fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
        (connect(s.fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 &&
         errno != EINPROGRESS)) {
      ++r.connect_failures;
      close(s.fd);
      s.fd = -1;
    }
  };

  std::vector<pollfd> fds(slots.size());
  while (!stop_) {
    auto now = Clock::now();
    for (size_t i = 0; i < slots.size(); ++i) {
      Slot& s = slots[i];
      if (s.fd < 0) connect_slot(s, i);
      fds[i] = {s.fd, static_cast<short>(s.established ? POLLIN : POLLOUT), 0};
    }
    poll(fds.data(), fds.size(), 50);
    now = Clock::now();
    for (size_t i = 0; i < slots.size(); ++i) {
      Slot& s = slots[i];
      if (s.fd < 0) continue;
      short ev = fds[i].revents;
      if (!s.established) {
        if (!ev) continue;
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          ++r.connect_failures;
          close_slot(s);
          continue;
        }
        s.established = true;
        s.since = now;
        s.next_byte = now;
        ++open_;
        ++r.connects;
        continue;
      }
      if (ev & (POLLIN | POLLHUP | POLLERR)) {
        char buf[4096];
        ssize_t n = read(s.fd, buf, sizeof buf);
        if (n > 0) {
          if (!s.answered) ++r.answered;
          s.answered = true;
          continue;  // read on until the server closes
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        auto life = lived(s, now);
        auto& longest = s.trickling ? r.longest_trickling_life : r.longest_silent_life;
        longest = std::max(longest, life);
        ++r.closed_by_server;
        close_slot(s);
        continue;
      }
      if (s.trickling && now >= s.next_byte && s.sent < kTrickle.size()) {
        if (send(s.fd, kTrickle.data() + s.sent, 1, MSG_NOSIGNAL) == 1) {
          ++s.sent;
          ++r.bytes_trickled;
        }
        s.next_byte = now + options_.interval;
      }
    }
  }
  auto now = Clock::now();
  for (auto& s : slots) {
    if (s.established) {
      ++r.open_at_stop;
      r.oldest_open_at_stop = std::max(r.oldest_open_at_stop, lived(s, now));
    }
    close_slot(s);
  }
}

}  // namespace usaged::testing
