#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string_view>
#include <thread>

namespace usaged::cli {

// Tells systemd how a long-running usaged process is doing, for a unit of
// Type=notify: READY=1 once it serves, STOPPING=1 when a stop signal arrived,
// and WATCHDOG=1 keep-alives when the unit sets WatchdogSec=. Outside systemd
// (no NOTIFY_SOCKET in the environment) every call does nothing.
//
// The watchdog proves the main loop is alive, not merely the process: a
// keep-alive is sent only while the loop has called Alive() within the
// watchdog interval, or while a usage pass runs (a catch-up pass may
// legitimately outlast any watchdog; it ends its units under their own leases).
class ServiceNotifier {
 public:
  ServiceNotifier();
  ~ServiceNotifier();  // stops the watchdog thread
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;

  void Ready(std::string_view status);
  void Status(std::string_view status);
  void Stopping();
  // The main loop is alive (call it at least every watchdog interval / 2).
  void Alive();
  // A usage pass starts (true) or ends (false).
  void Running(bool running);

  bool watchdog_enabled() const { return watchdog_.count() > 0; }

 private:
  void WatchdogLoop();

  std::chrono::microseconds watchdog_{0};
  std::atomic<int64_t> last_alive_ms_{0};
  std::atomic<bool> running_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace usaged::cli
