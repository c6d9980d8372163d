// `usaged repair`: duplicate usage_event rows.
#include <fmt/format.h>

#include <map>

#include "ingest/usage_event.h"
#include "core/fault_injector.h"
#include "maintain/repair_steps.h"

namespace usaged::maintain {
namespace {

constexpr std::string_view kEventColumns =
    "id, type, account_id, created, zone_id, resource_id, resource_name, offering_id, "
    "template_id, size, resource_type, processed, virtual_size";
constexpr std::string_view kDetailColumns = "id, usage_event_id, name, value";
constexpr size_t kGroupsPerTransaction = 500;

struct Candidate {
  std::string type;
  int64_t account_id = 0;
  Instant created{};
};

// (type, account, time, resource) combinations held by more than one event:
// the only places duplicates can be. NULL resources group together.
std::vector<Candidate> FindCandidates(store::Connection& conn) {
  auto& q = conn.Prepare(
      "SELECT type, account_id, created FROM ${usage}.usage_event "
      "GROUP BY type, account_id, created, resource_id HAVING count(*) > 1 "
      "ORDER BY created, type, account_id");
  std::vector<Candidate> out;
  while (q.Next()) {
    Candidate c{q.Text(0), q.Int(1), q.Time(2)};
    if (out.empty() || out.back().type != c.type || out.back().account_id != c.account_id ||
        out.back().created != c.created) {
      out.push_back(std::move(c));
    }
  }
  q.Reset();
  return out;
}

struct Loaded {
  ingest::UsageEvent event;
  bool processed = false;
};

// The events of one candidate, with their details, in id order.
std::vector<Loaded> LoadEvents(store::Connection& conn, const Candidate& c) {
  auto& q = conn.Prepare(fmt::format("SELECT {}, processed FROM ${{usage}}.usage_event WHERE "
                                     "type = ? AND account_id = ? AND created = ? ORDER BY id",
                                     ingest::kUsageEventColumns));
  q.Bind(c.type, c.account_id, c.created);
  std::vector<Loaded> out;
  while (q.Next()) out.push_back({ingest::ReadUsageEvent(q), q.Int(12) != 0});
  q.Reset();
  auto& d = conn.Prepare("SELECT name, value FROM ${usage}.usage_event_details "
                         "WHERE usage_event_id = ? ORDER BY id");
  for (auto& e : out) {
    d.Bind(e.event.id);
    while (d.Next()) e.event.details[d.Text(0)] = d.OptText(1).value_or("");
    d.Reset();
  }
  return out;
}

struct Surplus {
  int64_t id = 0;
  std::string reason;
};

// Surplus copies among events of one candidate: same content signature; the
// applied copy (else the oldest) is kept, so nothing is applied twice.
std::vector<Surplus> SurplusOf(const std::vector<Loaded>& events, FindingTally& tally) {
  std::map<std::string, std::vector<const Loaded*>> by_signature;
  for (const auto& e : events) by_signature[e.event.ContentSignature()].push_back(&e);
  std::vector<Surplus> out;
  for (const auto& [signature, copies] : by_signature) {
    if (copies.size() < 2) continue;
    const Loaded* keep = copies.front();
    for (const Loaded* e : copies) {
      if (e->processed && !keep->processed) keep = e;
    }
    for (const Loaded* e : copies) {
      if (e == keep) continue;
      out.push_back({e->event.id, fmt::format("duplicate of event {} ({})", keep->event.id,
                                              keep->event.Describe())});
      RepairFinding f;
      f.table = "usage_event";
      f.problem = "duplicate";
      f.event_type = e->event.type;
      f.account_id = e->event.account_id;
      f.rows = 1;
      f.first = f.last = e->event.created;
      f.action = "moved";
      tally.Add(f);
    }
  }
  return out;
}

void MoveEvents(RepairContext& ctx, const std::vector<Surplus>& surplus) {
  store::Transaction tx(ctx.conn);
  for (const auto& s : surplus) {
    ctx.conn.Run(fmt::format("INSERT INTO ${{usage}}.usage_event_details_removed ({0}, "
                             "removed_at, reason) SELECT {0}, ?, ? FROM "
                             "${{usage}}.usage_event_details WHERE usage_event_id = ?",
                             kDetailColumns),
                 ctx.options.now, s.reason, s.id);
    ctx.conn.Run("DELETE FROM ${usage}.usage_event_details WHERE usage_event_id = ?", s.id);
    CopyToAudit(ctx.conn, "usage_event", kEventColumns, s.id, ctx.options.now, s.reason);
    ctx.conn.Run("DELETE FROM ${usage}.usage_event WHERE id = ?", s.id);
  }
  FaultInjector::Global().Hit(FaultInjector::Point::kRepairBatch);
  tx.Commit();
  ctx.changed_rows += static_cast<int64_t>(surplus.size());
}

}  // namespace

void RepairEvents(RepairContext& ctx) {
  std::vector<Surplus> batch;
  size_t groups = 0;
  for (const Candidate& c : FindCandidates(ctx.conn)) {
    auto surplus = SurplusOf(LoadEvents(ctx.conn, c), ctx.tally);
    batch.insert(batch.end(), surplus.begin(), surplus.end());
    if (++groups % kGroupsPerTransaction == 0 && !ctx.options.dry_run && !batch.empty()) {
      MoveEvents(ctx, batch);
      batch.clear();
    }
  }
  if (!ctx.options.dry_run && !batch.empty()) MoveEvents(ctx, batch);
}

}  // namespace usaged::maintain
