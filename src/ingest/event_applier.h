#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "ingest/event_handler.h"
#include "ingest/handlers.h"
#include "store/connection.h"

namespace usaged::ingest {

// An applied event whose time falls in windows already billed.
struct LateEvent {
  int64_t event_id = 0;
  int64_t account_id = 0;
  Instant created{};
};

// Where late events begin and how late they may be.
struct LatePolicy {
  // End of the latest window with billed (done) units; events created before
  // it are late. nullopt: nothing billed yet.
  std::optional<Instant> billed_until;
  // Late events created before this are refused (quarantined) instead of
  // restating that much history. nullopt: no limit.
  std::optional<Instant> refuse_before;
};

struct ApplyStats {
  int64_t applied = 0;
  int64_t no_effect = 0;
  int64_t healed = 0;
  int64_t quarantined = 0;
  int64_t late_refused = 0;
  // Applied events that change windows already billed.
  std::vector<LateEvent> late_events;
};

// Applies copied events to the helper tables, exactly once each, in
// (created, id) order. Every event ends processed: applied, recognised as
// carrying no usage, healed, or quarantined with a reason - never dropped.
class EventApplier {
 public:
  // Uses every handler usaged has.
  EventApplier();
  explicit EventApplier(const HandlerOptions& options);
  explicit EventApplier(std::vector<std::unique_ptr<EventHandler>> handlers);

  // Applies unprocessed events created before `before`. Events are committed
  // in pages; a crash loses at most the page in flight, which is redone.
  ApplyStats ApplyPending(store::Connection& conn, Instant before, const LatePolicy& late,
                          const Clock& clock, int page_size = 2000);

 private:
  struct Page;
  void LoadDetails(store::Connection& conn, Page& page);
  // Applies a page in one transaction. With `isolate`, each event runs in its
  // own savepoint so a database error quarantines only that event.
  void ApplyPage(store::Connection& conn, Page& page, const LatePolicy& late, const Clock& clock,
                 bool isolate, ApplyStats& stats);
  const EventHandler* HandlerFor(const UsageEvent& event) const;
  ApplyOutcome ApplyOne(HelperTables& tables, const UsageEvent& event, const LatePolicy& late);
  // Applies events[from, to) to one working copy of the helper tables and
  // writes it; returns the outcome of each event.
  std::vector<ApplyOutcome> ApplyRange(store::Connection& conn, const Page& page, size_t from,
                                       size_t to, const LatePolicy& late, Instant now,
                                       std::map<std::string, int64_t>& seen);

  std::vector<std::unique_ptr<EventHandler>> handlers_;
  std::map<std::string, const EventHandler*, std::less<>> by_type_;
  store::AccountDirectory accounts_;
};

}  // namespace usaged::ingest
