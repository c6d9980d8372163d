#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ingest/usage_event.h"
#include "store/connection.h"

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

// Maintains the helper tables of one usage family from its events. Apply runs
// inside the caller's transaction, which also marks the event processed, so an
// event is applied exactly once. A handler never opens a second interval for a
// resource that already has an open one (the Java server's duplicate source):
// it heals or quarantines instead.
class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual std::string_view family() const = 0;
  // The exact event types this handler applies.
  virtual std::vector<std::string_view> event_types() const = 0;
  virtual ApplyOutcome Apply(store::Connection& conn, const UsageEvent& event,
                             const AccountRef& account) const = 0;
};

}  // namespace usaged::ingest
