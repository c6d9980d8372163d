// `usaged repair`: cloud_usage rows with the same natural key, and natural
// keys for the rows written before usaged.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/fault_injector.h"
#include "maintain/record_checks.h"
#include "maintain/repair_steps.h"
#include "parse/record_key.h"

namespace usaged::maintain {
namespace {

constexpr std::string_view kRecordColumns =
    "id, zone_id, account_id, domain_id, description, usage_display, usage_type, raw_usage, "
    "vm_instance_id, vm_name, offering_id, template_id, usage_id, type, size, network_id, "
    "start_date, end_date, virtual_size, cpu_speed, cpu_cores, memory, quota_calculated, "
    "is_hidden, state, usage_key";

// A row without a real natural key: written before usaged was installed
// (NULL, or the placeholder "legacy:<id>" that installing gives it).
constexpr std::string_view kLegacyCondition =
    "(usage_key IS NULL OR usage_key LIKE 'legacy:%')";

struct StoredRecord {
  int64_t id = 0;
  UsageRecord record;
  bool legacy = true;
};

std::vector<Instant> LegacyWindowStarts(RepairContext& ctx) {
  std::string sql = "SELECT DISTINCT start_date FROM ${usage}.cloud_usage";
  if (ctx.usaged_schema) sql += fmt::format(" WHERE {}", kLegacyCondition);
  sql += " ORDER BY start_date";
  auto& q = ctx.conn.Prepare(sql);
  std::vector<Instant> out;
  while (q.Next()) out.push_back(q.Time(0));
  q.Reset();
  return out;
}

// Every row of the window starting at `start` (keyed ones too: a legacy row
// may repeat a row usaged wrote).
std::vector<StoredRecord> LoadWindow(RepairContext& ctx, Instant start) {
  auto& q = ctx.conn.Prepare(fmt::format(
      "SELECT id, zone_id, account_id, usage_type, raw_usage, vm_instance_id, offering_id, "
      "template_id, usage_id, type, size, network_id, start_date, end_date, cpu_speed, "
      "cpu_cores, memory, description, state, {} FROM ${{usage}}.cloud_usage WHERE "
      "start_date = ? ORDER BY id",
      ctx.usaged_schema ? "usage_key" : "NULL"));
  q.Bind(start);
  std::vector<StoredRecord> out;
  while (q.Next()) {
    StoredRecord s;
    s.id = q.Int(0);
    UsageRecord& r = s.record;
    r.zone_id = q.Int(1);
    r.account_id = q.Int(2);
    r.usage_type = static_cast<int>(q.OptInt(3).value_or(0));
    r.raw_usage = q.Double(4);
    r.vm_instance_id = q.OptInt(5);
    r.offering_id = q.OptInt(6);
    r.template_id = q.OptInt(7);
    r.usage_id = q.OptInt(8);
    r.type = q.OptText(9);
    r.size = q.OptInt(10);
    r.network_id = q.OptInt(11);
    r.start_date = q.Time(12);
    r.end_date = q.Time(13);
    r.cpu_speed = q.OptInt(14);
    r.cpu_cores = q.OptInt(15);
    r.memory = q.OptInt(16);
    // Part of the natural key of some types (VPN users: the name; NETWORK:
    // the state).
    r.description = q.OptText(17).value_or("");
    r.state = q.OptText(18);
    std::optional<std::string> key = q.OptText(19);
    s.legacy = !key || key->rfind("legacy:", 0) == 0;
    r.usage_key = s.legacy ? parse::NaturalKey(r) : *key;
    out.push_back(std::move(s));
  }
  q.Reset();
  return out;
}

struct Change {
  int64_t id = 0;
  bool remove = false;  // else: set usage_key
  std::string key_or_reason;
};

RepairFinding RecordFinding(const UsageRecord& r, std::string problem, std::string action) {
  RepairFinding f;
  f.table = "cloud_usage";
  f.problem = std::move(problem);
  f.usage_type = r.usage_type;
  f.account_id = r.account_id;
  f.rows = 1;
  f.first = r.start_date;
  f.last = r.end_date;
  f.action = std::move(action);
  return f;
}

// Moves `s`, a surplus copy of `keep` under natural key `key`.
void MoveSurplus(const StoredRecord& s, const StoredRecord& keep, const std::string& key,
                 std::string_view why, FindingTally& tally, std::vector<Change>& changes) {
  const bool same = s.record.raw_usage == keep.record.raw_usage;
  std::string reason = fmt::format(
      "{} row {} (natural key {}: {}){}{}", same ? "duplicate of" : "conflicts with", keep.id,
      key, parse::NaturalKeyText(s.record),
      same ? "" : fmt::format("; raw_usage {} here, {} kept", s.record.raw_usage,
                              keep.record.raw_usage),
      why);
  changes.push_back({s.id, true, std::move(reason)});
  tally.Add(RecordFinding(s.record, same ? "duplicate" : "conflict", "moved"));
}

// One natural key's rows of a type grouped by resource: the row usaged wrote
// (else the oldest) stays and gets the key; the others are surplus.
void PlanCopies(const std::string& key, const std::vector<const StoredRecord*>& copies,
                FindingTally& tally, std::vector<Change>& changes) {
  const StoredRecord* keep = copies.front();
  for (const StoredRecord* s : copies) {
    if (!s->legacy) keep = s;
  }
  if (keep->legacy) {
    changes.push_back({keep->id, false, key});
    tally.Add(RecordFinding(keep->record, "without_natural_key", "keyed"));
  }
  for (const StoredRecord* s : copies) {
    if (s != keep) MoveSurplus(*s, *keep, key, "", tally, changes);
  }
}

// One natural key's rows of a type CloudStack writes one record per helper
// row (parse::KeyedByHelperRow). The Java server writes several records under
// one such key when the resource had several rows in the window (a network
// updated without a change, shut down and implemented again), and nothing in
// the records tells which row each came from. So the rows are kept as parts
// while their hours together fit in the window; the first keeps the natural
// key, each further part gets a key with its own id. A part whose hours equal
// another's may also be a copy (equally long rows give equal records): it is
// kept and reported as a possible duplicate. A row that would make the parts
// longer than the window is surplus (the resource cannot have been billed for
// more time than the window has), moved like any other copy.
void PlanParts(const std::string& key, const std::vector<const StoredRecord*>& copies,
               FindingTally& tally, std::vector<Change>& changes) {
  const UsageRecord& first = copies.front()->record;
  std::vector<const StoredRecord*> order;  // rows usaged wrote first, then by id
  for (const StoredRecord* s : copies) {
    if (!s->legacy) order.push_back(s);
  }
  for (const StoredRecord* s : copies) {
    if (s->legacy) order.push_back(s);
  }
  std::vector<const StoredRecord*> kept;
  double hours = 0;
  bool key_taken = false;
  for (const StoredRecord* s : order) {
    if (!s->legacy) {
      kept.push_back(s);
      hours += s->record.raw_usage;
      key_taken = key_taken || s->record.usage_key == key;
      continue;
    }
    if (!kept.empty() &&
        !PartsFitWindow(hours + s->record.raw_usage, first.start_date, first.end_date)) {
      MoveSurplus(*s, *kept.front(), key, "; the parts would be longer than the window", tally,
                  changes);
      continue;
    }
    const bool repeats = std::any_of(kept.begin(), kept.end(), [&](const StoredRecord* k) {
      return k->record.raw_usage == s->record.raw_usage;
    });
    changes.push_back({s->id, false, key_taken ? parse::LegacyPartKey(s->record, s->id) : key});
    key_taken = true;
    tally.Add(RecordFinding(s->record, "without_natural_key", "keyed"));
    if (repeats) tally.Add(RecordFinding(s->record, "possible_duplicate", "kept"));
    kept.push_back(s);
    hours += s->record.raw_usage;
  }
}

// The changes one window's rows need, per natural key.
void PlanWindow(const std::vector<StoredRecord>& rows, FindingTally& tally,
                std::vector<Change>& changes) {
  std::map<std::string, std::vector<const StoredRecord*>> by_key;
  for (const auto& s : rows) by_key[s.record.usage_key].push_back(&s);
  for (const auto& [key, copies] : by_key) {
    if (parse::KeyedByHelperRow(copies.front()->record.usage_type)) {
      PlanParts(key, copies, tally, changes);
    } else {
      PlanCopies(key, copies, tally, changes);
    }
  }
}

void Apply(RepairContext& ctx, const std::vector<Change>& changes) {
  store::Transaction tx(ctx.conn);
  // Surplus first: a kept row's key is then free whatever order rows come in.
  for (const auto& c : changes) {
    if (!c.remove) continue;
    CopyToAudit(ctx.conn, "cloud_usage", kRecordColumns, c.id, ctx.options.now,
                c.key_or_reason);
    ctx.conn.Run("DELETE FROM ${usage}.cloud_usage WHERE id = ?", c.id);
  }
  for (const auto& c : changes) {
    if (!c.remove) {
      ctx.conn.Run("UPDATE ${usage}.cloud_usage SET usage_key = ? WHERE id = ?", c.key_or_reason,
                   c.id);
    }
  }
  FaultInjector::Global().Hit(FaultInjector::Point::kRepairBatch);
  tx.Commit();
  ctx.changed_rows += static_cast<int64_t>(changes.size());
}

}  // namespace

void RepairRecords(RepairContext& ctx) {
  std::vector<Change> changes;
  int64_t loaded = 0;
  for (Instant start : LegacyWindowStarts(ctx)) {
    auto rows = LoadWindow(ctx, start);
    loaded += static_cast<int64_t>(rows.size());
    PlanWindow(rows, ctx.tally, changes);
    if (loaded >= ctx.options.batch_rows) {
      if (!ctx.options.dry_run && !changes.empty()) Apply(ctx, changes);
      changes.clear();
      loaded = 0;
    }
  }
  if (!ctx.options.dry_run && !changes.empty()) Apply(ctx, changes);
}

}  // namespace usaged::maintain
