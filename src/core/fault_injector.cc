#include "core/fault_injector.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "core/error.h"

namespace usaged {

namespace {

void StallWithMarker() {
  if (const char* marker = std::getenv("USAGED_FAULT_MARKER")) {
    std::ofstream(marker) << getpid() << "\n";
  }
  std::this_thread::sleep_for(std::chrono::seconds(5));
}

}  // namespace

FaultInjector& FaultInjector::Global() {
  static FaultInjector* injector = new FaultInjector();
  return *injector;
}

FaultInjector::FaultInjector() {
  if (const char* spec = std::getenv("USAGED_FAULTS")) Configure(spec);
}

void FaultInjector::Configure(std::string_view spec) {
  std::lock_guard lock(mu_);
  faults_.clear();
  counts_.clear();
  size_t pos = 0;
  while (pos < spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string_view::npos) comma = spec.size();
    std::string_view item = spec.substr(pos, comma - pos);
    pos = comma + 1;
    size_t eq = item.find('=');
    if (item.empty()) continue;
    if (eq == std::string_view::npos) {
      throw InputError(fmt::format("USAGED_FAULTS: '{}' is not NAME=N", item));
    }
    std::string name(item.substr(0, eq));
    long n = std::atol(std::string(item.substr(eq + 1)).c_str());
    if (name != "fail_unit" && name != "crash_unit" && name != "crash_event_page" &&
        name != "stall_unit" && name != "stall_parsed_unit" && name != "crash_repair_batch" &&
        name != "crash_statistics") {
      throw InputError(fmt::format("USAGED_FAULTS: unknown fault '{}'", name));
    }
    faults_.emplace(name, n);
  }
}

void FaultInjector::Hit(Point point) {
  std::lock_guard lock(mu_);
  if (faults_.empty()) return;
  long n = ++counts_[point];
  auto matches = [&](const char* name) {
    auto [lo, hi] = faults_.equal_range(name);
    for (auto it = lo; it != hi; ++it) {
      if (it->second == n) return true;
    }
    return false;
  };
  switch (point) {
    case Point::kUnitStart:
      if (matches("fail_unit")) throw Error(fmt::format("injected failure in unit #{}", n));
      break;
    case Point::kUnitParsed:
      if (matches("stall_parsed_unit")) StallWithMarker();
      break;
    case Point::kUnitBeforeCommit:
      if (matches("crash_unit")) kill(getpid(), SIGKILL);
      if (matches("stall_unit")) StallWithMarker();
      break;
    case Point::kEventPage:
      if (matches("crash_event_page")) kill(getpid(), SIGKILL);
      break;
    case Point::kRepairBatch:
      if (matches("crash_repair_batch")) kill(getpid(), SIGKILL);
      break;
    case Point::kStatistics:
      if (matches("crash_statistics")) kill(getpid(), SIGKILL);
      break;
  }
}

}  // namespace usaged
