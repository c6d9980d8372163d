#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "ingest/interval_table.h"
#include "ingest/usage_event.h"
#include "store/account_directory.h"

namespace usaged::ingest {

// What applying one event did.
struct ApplyOutcome {
  enum class Kind {
    kApplied,      // helper tables changed as the event says
    kNoEffect,     // a known event that carries no usage (CloudStack ignores it too)
    kHealed,       // applied after repairing an inconsistency; `note` says how
    kQuarantined,  // refused; `note` says why; helper tables unchanged
  };
  Kind kind = Kind::kApplied;
  std::string note;

  static ApplyOutcome Applied() { return {Kind::kApplied, {}}; }
  static ApplyOutcome NoEffect(std::string why) { return {Kind::kNoEffect, std::move(why)}; }
  static ApplyOutcome Healed(std::string how) { return {Kind::kHealed, std::move(how)}; }
  static ApplyOutcome Quarantine(std::string why) { return {Kind::kQuarantined, std::move(why)}; }
};

// The helper rows a page of events needs, gathered before the page is applied
// so they can be loaded in a few queries.
class PrefetchRequest {
 public:
  // Rows of `table` whose `column` equals `value`; open rows only unless
  // `include_closed`.
  void Want(const TableDef& table, const std::string& column, SqlValue value,
            bool include_closed = false) {
    wanted_[{&table, column, include_closed}].insert(std::move(value));
  }
  // Loads everything asked for into `tables`.
  void Load(store::Connection& conn, HelperTables& tables) const;

 private:
  std::map<std::tuple<const TableDef*, std::string, bool>, std::set<SqlValue>> wanted_;
};

// Maintains the helper tables of one usage family from its events. Apply works
// on the page's working copy of the helper tables; the page's transaction
// writes those changes together with the events' processed flags, so each
// event is applied exactly once. A handler never opens a second interval for a
// resource that already has an open one (the Java server's duplicate source):
// it heals or quarantines instead, and a quarantined event changes nothing.
class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual std::string_view family() const = 0;
  // The exact event types this handler applies.
  virtual std::vector<std::string_view> event_types() const = 0;
  // Asks for the helper rows Apply may read for `event`.
  virtual void Prefetch(const UsageEvent& event, PrefetchRequest& request) const = 0;
  virtual ApplyOutcome Apply(HelperTables& tables, const UsageEvent& event,
                             const store::AccountRef& account) const = 0;
};

}  // namespace usaged::ingest
