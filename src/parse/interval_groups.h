#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/hours.h"

namespace usaged::parse {

// Sums the chargeable time of helper intervals that share a parser key, the
// way CloudStack's parsers do: one record per (account, key, window). Keeps the
// details of the earliest and the latest contributing row by start time
// (CloudStack takes the VM name from the first row and everything else from
// the last), so rows may arrive in any order.
template <class Info>
class IntervalGroups {
 public:
  struct Group {
    int64_t account_id = 0;
    int64_t domain_id = 0;
    int64_t millis = 0;
    Info first;
    Info last;
    Instant first_start{};
    Instant last_start{};
  };

  IntervalGroups(const Window& window, HoursMode mode) : window_(window), mode_(mode) {}

  // Adds [created, deleted) under `key` (which must already include the
  // account). Rows that do not touch the window are ignored.
  void Add(const std::string& key, int64_t account_id, int64_t domain_id, Instant created,
           std::optional<Instant> deleted, const Info& info) {
    int64_t ms = ChargeableMillis(created, deleted, window_, mode_);
    if (ms <= 0) return;
    auto [it, inserted] = groups_.try_emplace(key);
    Group& g = it->second;
    if (inserted) {
      g.account_id = account_id;
      g.domain_id = domain_id;
      g.first = info;
      g.last = info;
      g.first_start = g.last_start = created;
    } else {
      if (created < g.first_start) {
        g.first = info;
        g.first_start = created;
      }
      if (created >= g.last_start) {
        g.last = info;
        g.last_start = created;
      }
    }
    g.millis += ms;
  }

  // Groups in key order (deterministic output).
  const std::map<std::string, Group>& groups() const { return groups_; }

 private:
  Window window_;
  HoursMode mode_;
  std::map<std::string, Group> groups_;
};

}  // namespace usaged::parse
