#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/hours.h"

namespace usaged::parse {

// Which helper rows may supply a group's first and last details.
enum class DescribedBy {
  // Only rows with chargeable time in the window.
  kChargedRows,
  // Every row the window query returns, also those with no chargeable time
  // (a row ending exactly at the window start, a row [t, t]). CloudStack's
  // parsers charge such rows 1 ms and take their columns, so with this choice
  // exact mode describes a record with the same row as compat mode does.
  kQueriedRows,
};

// Sums the chargeable time of helper intervals that share a parser key, the
// way CloudStack's parsers do: one record per (account, key, window). Keeps the
// details of the earliest and the latest contributing row by start time, ties
// broken by the helper row's id (CloudStack takes the VM name from the first
// row and everything else from the last, in its query's order, which is
// insertion order), so rows may arrive in any order.
template <class Info>
class IntervalGroups {
 public:
  struct Group {
    int64_t account_id = 0;
    int64_t domain_id = 0;
    int64_t millis = 0;  // may stay 0 with DescribedBy::kQueriedRows: no record then
    Info first;
    Info last;
    std::pair<Instant, int64_t> first_order{};  // (start, row id)
    std::pair<Instant, int64_t> last_order{};
  };

  IntervalGroups(const Window& window, HoursMode mode,
                 DescribedBy described_by = DescribedBy::kChargedRows)
      : window_(window), mode_(mode), described_by_(described_by) {}

  // Adds the helper row `row_id`, [created, deleted), under `key` (which must
  // already include the account). Rows that do not count (see DescribedBy) are
  // ignored.
  void Add(const std::string& key, int64_t account_id, int64_t domain_id, Instant created,
           std::optional<Instant> deleted, int64_t row_id, const Info& info) {
    int64_t ms = ChargeableMillis(created, deleted, window_, mode_);
    if (ms <= 0 && described_by_ == DescribedBy::kChargedRows) return;
    const std::pair<Instant, int64_t> order{created, row_id};
    auto [it, inserted] = groups_.try_emplace(key);
    Group& g = it->second;
    if (inserted) {
      g.account_id = account_id;
      g.domain_id = domain_id;
      g.first = info;
      g.last = info;
      g.first_order = g.last_order = order;
    } else {
      if (order < g.first_order) {
        g.first = info;
        g.first_order = order;
      }
      if (order > g.last_order) {
        g.last = info;
        g.last_order = order;
      }
    }
    if (ms > 0) g.millis += ms;
  }

  // Groups in key order (deterministic output); a group whose rows have no
  // chargeable time has millis 0 and gets no record.
  const std::map<std::string, Group>& groups() const { return groups_; }

 private:
  Window window_;
  HoursMode mode_;
  DescribedBy described_by_;
  std::map<std::string, Group> groups_;
};

}  // namespace usaged::parse
