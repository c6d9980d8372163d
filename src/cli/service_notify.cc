#include "cli/service_notify.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <string>

namespace usaged::cli {
namespace {

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// sd_notify answers 0 without NOTIFY_SOCKET: nothing to tell.
void Notify(const std::string& state) {
  int rc = sd_notify(0, state.c_str());
  if (rc < 0) spdlog::warn("could not notify systemd ({}): error {}", state, -rc);
}

}  // namespace

ServiceNotifier::ServiceNotifier() {
  uint64_t usec = 0;
  // > 0 only when WATCHDOG_USEC is set (and WATCHDOG_PID, if set, is ours).
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_ = std::chrono::microseconds(usec);
    Alive();
    thread_ = std::thread([this] { WatchdogLoop(); });
  }
}

ServiceNotifier::~ServiceNotifier() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ServiceNotifier::Ready(std::string_view status) {
  Notify(fmt::format("READY=1\nSTATUS={}", status));
}

void ServiceNotifier::Status(std::string_view status) { Notify(fmt::format("STATUS={}", status)); }

void ServiceNotifier::Stopping() { Notify("STOPPING=1\nSTATUS=stopping"); }

void ServiceNotifier::Alive() { last_alive_ms_.store(SteadyMillis()); }

void ServiceNotifier::Running(bool running) {
  running_.store(running);
  Alive();
}

// Keep-alives at half the interval, as sd_watchdog_enabled(3) advises.
void ServiceNotifier::WatchdogLoop() {
  const auto period = std::chrono::duration_cast<std::chrono::milliseconds>(watchdog_ / 2);
  const int64_t limit_ms = std::chrono::duration_cast<std::chrono::milliseconds>(watchdog_).count();
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
    bool alive = running_.load() || SteadyMillis() - last_alive_ms_.load() < limit_ms;
    if (alive) {
      Notify("WATCHDOG=1");
    } else {
      spdlog::error("main loop silent for over {} ms: no watchdog keep-alive", limit_ms);
    }
  }
}

}  // namespace usaged::cli
