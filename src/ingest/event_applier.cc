#include "ingest/event_applier.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <optional>
#include <set>
#include <utility>

#include "core/error.h"
#include "core/fault_injector.h"
#include "ingest/event_types.h"
#include "ingest/handlers.h"
#include "ingest/healing.h"
#include "ingest/quarantine.h"

namespace usaged::ingest {

struct EventApplier::Page {
  std::vector<UsageEvent> events;
  // Content signatures (and ids) of processed events in the page's time span,
  // to recognise the same event stored twice under different ids.
  std::map<std::string, int64_t> seen;
};

EventApplier::EventApplier() : EventApplier(AllEventHandlers()) {}

EventApplier::EventApplier(const HandlerOptions& options)
    : EventApplier(AllEventHandlers(options)) {}

EventApplier::EventApplier(std::vector<std::unique_ptr<EventHandler>> handlers)
    : handlers_(std::move(handlers)) {
  for (const auto& h : handlers_) {
    for (auto type : h->event_types()) by_type_.emplace(std::string(type), h.get());
  }
}

namespace {

bool SameResourceAndSecond(const UsageEvent& a, const UsageEvent& b) {
  return a.created == b.created && a.account_id == b.account_id && a.resource_id &&
         a.resource_id == b.resource_id;
}

std::string IdList(const std::vector<UsageEvent>& events) {
  std::string out;
  for (const auto& e : events) {
    if (!out.empty()) out += ",";
    out += std::to_string(e.id);
  }
  return out;
}

// Older than the restatement limit allows: refused instead of restating.
constexpr std::string_view kTooLate = "too late";
bool RefusedAsTooLate(const UsageEvent& event, const LatePolicy& late) {
  return late.refuse_before && event.created < *late.refuse_before && late.billed_until &&
         event.created < *late.billed_until;
}

// Why the event carries a negative quantity or id, or nullopt. No CloudStack
// event has one (sizes are bytes or 0/1 flags, ids are positive; a value past
// the signed range of the unsigned columns reads as negative): applied, it
// would bill a negative size or a resource that does not exist. The custom
// offering details go into VM records as they are, so they are checked too.
std::optional<std::string> NegativeValue(const UsageEvent& e) {
  for (const auto& [name, value] : {std::pair{"resource_id", e.resource_id},
                                    std::pair{"size", e.size},
                                    std::pair{"virtual_size", e.virtual_size}}) {
    if (value && *value < 0) return fmt::format("negative {} {}", name, *value);
  }
  for (const char* name : {"cpuNumber", "cpuSpeed", "memory"}) {
    const std::optional<std::string> text = e.Detail(name);
    int64_t value = 0;
    if (text && std::from_chars(text->data(), text->data() + text->size(), value).ec ==
                    std::errc() && value < 0) {
      return fmt::format("negative {} detail {}", name, *text);
    }
  }
  return std::nullopt;
}

}  // namespace

void EventApplier::LoadDetails(store::Connection& conn, Page& page) {
  if (page.events.empty()) return;
  std::map<int64_t, UsageEvent*> by_id;
  for (auto& e : page.events) by_id[e.id] = &e;
  // Ad-hoc statement: the id list differs per page.
  std::string sql = fmt::format(
      "SELECT usage_event_id, name, value FROM ${{usage}}.usage_event_details "
      "WHERE usage_event_id IN ({}) ORDER BY id",
      IdList(page.events));
  auto& q = conn.Prepare(sql);
  while (q.Next()) {
    auto it = by_id.find(q.Int(0));
    if (it != by_id.end() && !q.IsNull(1)) it->second->details[q.Text(1)] = q.OptText(2).value_or("");
  }
  q.Reset();

  Instant lo = page.events.front().created, hi = page.events.back().created;
  std::string seen_sql = fmt::format(
      "SELECT {} FROM ${{usage}}.usage_event WHERE processed = 1 AND created >= ? AND created <= ?",
      kUsageEventColumns);
  auto& s = conn.Prepare(seen_sql).Bind(lo, hi);
  std::vector<UsageEvent> processed;
  while (s.Next()) processed.push_back(ReadUsageEvent(s));
  s.Reset();
  if (processed.empty()) return;
  std::string detail_sql = fmt::format(
      "SELECT usage_event_id, name, value FROM ${{usage}}.usage_event_details "
      "WHERE usage_event_id IN ({})",
      IdList(processed));
  std::map<int64_t, UsageEvent*> processed_by_id;
  for (auto& e : processed) processed_by_id[e.id] = &e;
  auto& d = conn.Prepare(detail_sql);
  while (d.Next()) {
    auto it = processed_by_id.find(d.Int(0));
    if (it != processed_by_id.end() && !d.IsNull(1)) {
      it->second->details[d.Text(1)] = d.OptText(2).value_or("");
    }
  }
  for (const auto& e : processed) page.seen.emplace(e.ContentSignature(), e.id);
}

const EventHandler* EventApplier::HandlerFor(const UsageEvent& event) const {
  auto it = by_type_.find(event.type);
  return it == by_type_.end() ? nullptr : it->second;
}

ApplyOutcome EventApplier::ApplyOne(HelperTables& tables, const UsageEvent& event,
                                    const LatePolicy& late) {
  if (RefusedAsTooLate(event, late)) {
    return ApplyOutcome::Quarantine(fmt::format(
        "{}: its time is before {}, the oldest billed time a late event may restate "
        "(usage.restatement.max.days)",
        kTooLate, FormatUtc(*late.refuse_before)));
  }
  const store::AccountRef* account = accounts_.Find(event.account_id);
  if (!account) {
    return ApplyOutcome::Quarantine(
        fmt::format("account {} does not exist in cloud.account", event.account_id));
  }
  if (const EventHandler* handler = HandlerFor(event)) {
    // Checked here, for every handler family alike.
    if (auto why = NegativeValue(event)) return ApplyOutcome::Quarantine(*why);
    return handler->Apply(tables, event, *account);
  }
  if (auto why = KnownEventWithoutUsage(event.type)) return ApplyOutcome::NoEffect(*why);
  return ApplyOutcome::Quarantine(fmt::format("unknown event type '{}'", event.type));
}

std::vector<ApplyOutcome> EventApplier::ApplyRange(store::Connection& conn, const Page& page,
                                                   size_t from, size_t to,
                                                   const LatePolicy& late, Instant now,
                                                   std::map<std::string, int64_t>& seen) {
  HelperTables tables;
  PrefetchRequest request;
  for (size_t i = from; i < to; ++i) {
    if (const EventHandler* handler = HandlerFor(page.events[i])) {
      handler->Prefetch(page.events[i], request);
    }
  }
  request.Load(conn, tables);
  std::vector<ApplyOutcome> outcomes(to - from);
  // An event refused for the state it found (a STOP with nothing running) is
  // retried once after a later event of the same resource and second (its
  // START, committed with a higher id): the two were written out of order.
  std::vector<size_t> deferred;
  std::vector<HealingAction> duplicates;
  auto apply = [&](size_t i) {
    const UsageEvent& event = page.events[i];
    std::string signature = event.ContentSignature();
    auto original = seen.find(signature);
    if (original != seen.end()) {
      outcomes[i - from] = ApplyOutcome::Quarantine(fmt::format(
          "duplicate: a copy of event #{} (same type, account, resource, time and values)",
          original->second));
      duplicates.push_back({"duplicate_event", "usage_event", event.id, original->second,
                            fmt::format("event #{} {} is a copy of event #{}; ignored", event.id,
                                        event.type, original->second)});
    } else {
      outcomes[i - from] = ApplyOne(tables, event, late);
      seen.emplace(signature, event.id);
    }
  };
  for (size_t i = from; i < to; ++i) {
    apply(i);
    const UsageEvent& event = page.events[i];
    const bool is_copy = !duplicates.empty() && duplicates.back().row_id == event.id;
    if (outcomes[i - from].kind == ApplyOutcome::Kind::kQuarantined && !is_copy && i + 1 < to &&
        SameResourceAndSecond(event, page.events[i + 1]) &&
        event.type != page.events[i + 1].type) {
      if (seen[event.ContentSignature()] == event.id) seen.erase(event.ContentSignature());
      deferred.push_back(i);
      continue;
    }
    while (!deferred.empty() && (i + 1 >= to || !SameResourceAndSecond(page.events[deferred.back()],
                                                                       page.events[i + 1]))) {
      size_t d = deferred.back();
      deferred.pop_back();
      apply(d);
      if (outcomes[d - from].kind != ApplyOutcome::Kind::kQuarantined) {
        outcomes[d - from] = ApplyOutcome::Healed(fmt::format(
            "applied after event #{} of the same second, which it had been written before",
            page.events[i].id));
      }
    }
  }
  tables.Flush(conn);
  RecordHealing(conn, duplicates, now);
  return outcomes;
}

void EventApplier::ApplyPage(store::Connection& conn, Page& page, const LatePolicy& late,
                             const Clock& clock, bool isolate, ApplyStats& stats) {
  ApplyStats page_stats;
  std::map<std::string, int64_t> seen = page.seen;
  store::Transaction tx(conn);
  std::vector<ApplyOutcome> outcomes;
  if (!isolate) {
    outcomes = ApplyRange(conn, page, 0, page.events.size(), late, clock.Now(), seen);
  } else {
    // One savepoint per event, so a database error quarantines only it.
    for (size_t i = 0; i < page.events.size(); ++i) {
      conn.Exec("SAVEPOINT usaged_event");
      try {
        outcomes.push_back(ApplyRange(conn, page, i, i + 1, late, clock.Now(), seen).front());
        conn.Exec("RELEASE SAVEPOINT usaged_event");
      } catch (const DbError& e) {
        if (e.transient()) throw;
        conn.Exec("ROLLBACK TO SAVEPOINT usaged_event");
        conn.Exec("RELEASE SAVEPOINT usaged_event");
        outcomes.push_back(
            ApplyOutcome::Quarantine(fmt::format("database refused it: {}", e.what())));
      }
    }
  }
  for (size_t i = 0; i < page.events.size(); ++i) {
    const UsageEvent& event = page.events[i];
    const ApplyOutcome& outcome = outcomes[i];
    switch (outcome.kind) {
      case ApplyOutcome::Kind::kApplied:
        ++page_stats.applied;
        break;
      case ApplyOutcome::Kind::kNoEffect:
        ++page_stats.no_effect;
        spdlog::debug("event {}: no usage effect ({})", event.Describe(), outcome.note);
        break;
      case ApplyOutcome::Kind::kHealed:
        ++page_stats.healed;
        RecordHealing(conn, {{"event_healed", "usage_event", event.id, std::nullopt,
                              fmt::format("{}: {}", event.Describe(), outcome.note)}},
                      clock.Now());
        break;
      case ApplyOutcome::Kind::kQuarantined:
        ++page_stats.quarantined;
        spdlog::error("event {}: quarantined: {}", event.Describe(), outcome.note);
        QuarantineEvent(conn, event, outcome.note, clock.Now(),
                        outcome.note.rfind(kTooLate, 0) == 0
                            ? alert::alert_type::kLateEventRefused
                            : alert::alert_type::kEventQuarantined);
        break;
    }
    const bool is_late = late.billed_until && event.created < *late.billed_until;
    if (is_late && outcome.kind == ApplyOutcome::Kind::kQuarantined) {
      ++page_stats.late_refused;
    } else if (is_late && outcome.kind != ApplyOutcome::Kind::kNoEffect) {
      page_stats.late_events.push_back({event.id, event.account_id, event.created});
    }
  }
  // One statement marks the whole page processed, inside the same transaction
  // as the helper changes.
  conn.Exec(fmt::format("UPDATE ${{usage}}.usage_event SET processed = 1 WHERE id IN ({})",
                        IdList(page.events)));
  FaultInjector::Global().Hit(FaultInjector::Point::kEventPage);
  tx.Commit();
  stats.applied += page_stats.applied;
  stats.no_effect += page_stats.no_effect;
  stats.healed += page_stats.healed;
  stats.quarantined += page_stats.quarantined;
  stats.late_refused += page_stats.late_refused;
  stats.late_events.insert(stats.late_events.end(), page_stats.late_events.begin(),
                           page_stats.late_events.end());
}

ApplyStats EventApplier::ApplyPending(store::Connection& conn, Instant before,
                                      const LatePolicy& late, const Clock& clock, int page_size) {
  accounts_ = store::AccountDirectory::Load(conn);
  ApplyStats stats;
  std::string sql = fmt::format(
      "SELECT {} FROM ${{usage}}.usage_event WHERE processed = 0 AND created < ? "
      "ORDER BY created, id LIMIT ?",
      kUsageEventColumns);
  while (true) {
    Page page;
    auto& q = conn.Prepare(sql).Bind(before, page_size);
    while (q.Next()) page.events.push_back(ReadUsageEvent(q));
    q.Reset();
    if (page.events.empty()) break;
    LoadDetails(conn, page);
    try {
      ApplyPage(conn, page, late, clock, /*isolate=*/false, stats);
    } catch (const DbError& e) {
      if (e.transient()) throw;
      // Some event made the database object; redo the page one savepoint per
      // event so only the offending event is quarantined.
      spdlog::warn("event page failed ({}); re-applying event by event", e.what());
      ApplyPage(conn, page, late, clock, /*isolate=*/true, stats);
    }
  }
  for (const LateEvent& e : stats.late_events) {
    spdlog::warn("event #{} ({}) is older than billed time {}: applied; the billed windows it "
                 "touches are restated for account {}",
                 e.event_id, FormatUtc(e.created), FormatUtc(*late.billed_until), e.account_id);
  }
  return stats;
}

}  // namespace usaged::ingest
