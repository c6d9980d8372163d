#include "ingest/healing.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>

#include "core/usage_types.h"
#include "ingest/helper_tables.h"

namespace usaged::ingest {
namespace {

struct Row {
  int64_t id = 0;
  std::vector<std::string> key;
  Instant start{};
  std::optional<Instant> end;
  bool changed = false;
  bool removed = false;
};

std::string Text(const std::optional<Instant>& t) { return t ? FormatUtc(*t) : "open"; }

// A row that ended in the second it began, e.g. a network updated in the
// second it was created: CloudStack keeps such rows (and bills them 1 ms in
// its float hours), so they are not repeats of the row that follows.
bool ZeroLength(const Row& r) { return r.end && *r.end == r.start; }

// Rows of `def` that are open or end after `from`, grouped by resource.
std::map<std::vector<std::string>, std::vector<Row>> LoadRecentRows(store::Connection& conn,
                                                                  const TableDef& def,
                                                                  std::optional<Instant> from) {
  std::string cols;
  for (const auto& k : def.resource_key) cols += k + ", ";
  std::string sql = fmt::format(
      "SELECT {0}id, {1}, {2} FROM ${{usage}}.{3} WHERE {2} IS NULL OR {2} > ?", cols,
      def.start_column, def.end_column, def.table);
  auto& q = conn.Prepare(sql).Bind(from.value_or(FromEpochMillis(0)));
  std::map<std::vector<std::string>, std::vector<Row>> groups;
  const int n = static_cast<int>(def.resource_key.size());
  while (q.Next()) {
    Row r;
    for (int i = 0; i < n; ++i) r.key.push_back(q.IsNull(i) ? "NULL" : q.Text(i));
    r.id = q.Int(n);
    r.start = q.Time(n + 1);
    r.end = q.OptTime(n + 2);
    groups[r.key].push_back(std::move(r));
  }
  q.Reset();
  // Among rows of one start, zero-length ones first: they ended before the
  // others began.
  for (auto& [key, rows] : groups) {
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      if (a.start != b.start) return a.start < b.start;
      if (ZeroLength(a) != ZeroLength(b)) return ZeroLength(a);
      return a.id < b.id;
    });
  }
  return groups;
}

// An action about `row`, carrying the row as it was before the action.
HealingAction ActionOn(const Row& row, std::string kind, const std::string& table,
                       std::optional<int64_t> related, std::string detail) {
  HealingAction a{std::move(kind), table, row.id, related, std::move(detail)};
  a.resource = row.key;
  a.row_start = row.start;
  a.row_end = row.end;
  return a;
}

bool EndsLater(const Row& a, const Row& b) {
  if (!a.end) return true;
  return b.end && *a.end > *b.end;
}

// Ends a row at `at`, or at `floor` if that is later: time already billed is
// never rewritten (late events restate it; `usaged repair` fixes history).
void EndAt(Row& r, Instant at, std::optional<Instant> floor) {
  r.end = floor && *floor > at ? *floor : at;
  r.changed = true;
}

// Removes same-start duplicates and trims overlaps within one resource's rows.
void HealOverlaps(const TableDef& def, std::vector<Row>& rows, std::optional<Instant> floor,
                  std::vector<HealingAction>& out) {
  Row* prev = nullptr;
  for (Row& cur : rows) {
    // It holds no time, so it overlaps nothing.
    if (ZeroLength(cur)) continue;
    if (!prev) {
      prev = &cur;
      continue;
    }
    if (prev->start == cur.start) {
      Row& loser = EndsLater(*prev, cur) ? cur : *prev;
      Row& keeper = &loser == &cur ? *prev : cur;
      std::string was = fmt::format("row {} [{} - {}] repeats row {} [{} - {}]", loser.id,
                                    FormatUtc(loser.start), Text(loser.end), keeper.id,
                                    FormatUtc(keeper.start), Text(keeper.end));
      HealingAction action = ActionOn(loser, "duplicate_row", def.table, keeper.id, was);
      if (floor && *floor > loser.start) {
        EndAt(loser, loser.start, floor);
        action.detail += "; ended at " + FormatUtc(*loser.end);
      } else {
        loser.removed = true;
        action.removed = true;
        action.detail += "; removed";
      }
      out.push_back(std::move(action));
      prev = &keeper;
      continue;
    }
    if (!prev->end || *prev->end > cur.start) {
      std::string was = fmt::format("row {} [{} - {}] overlaps row {} from {}", prev->id,
                                    FormatUtc(prev->start), Text(prev->end), cur.id,
                                    FormatUtc(cur.start));
      HealingAction action = ActionOn(*prev, "overlap", def.table, cur.id, was);
      EndAt(*prev, cur.start, floor);
      action.detail += "; ended at " + FormatUtc(*prev->end);
      out.push_back(std::move(action));
    }
    prev = &cur;
  }
}

// A VM whose allocation ended (destroyed) but that is still counted running.
void HealRunningAfterDestroy(std::map<std::vector<std::string>, std::vector<Row>>& groups,
                             std::optional<Instant> floor, std::vector<HealingAction>& out) {
  for (auto& [key, running] : groups) {
    if (key.size() != 3 || key[2] != std::to_string(usage_type::kRunningVm)) continue;
    auto alloc = groups.find({key[0], key[1], std::to_string(usage_type::kAllocatedVm)});
    if (alloc == groups.end()) continue;
    const Row* last_alloc = nullptr;
    for (const Row& r : alloc->second) {
      if (!r.removed) last_alloc = &r;
    }
    if (!last_alloc || !last_alloc->end) continue;
    for (Row& r : running) {
      if (r.removed || r.end || r.start > *last_alloc->end) continue;
      HealingAction action = ActionOn(r, "running_after_destroy", kVmInstanceTable.table,
                                      last_alloc->id, "");
      EndAt(r, *last_alloc->end, floor);
      action.detail = fmt::format("VM {} counted running since {} although its allocation (row "
                                 "{}) ended at {}; ended at {}",
                                 key[1], FormatUtc(r.start), last_alloc->id,
                                 FormatUtc(*last_alloc->end), FormatUtc(*r.end));
      out.push_back(std::move(action));
    }
  }
}

void WriteChanges(store::Connection& conn, const TableDef& def,
                  const std::map<std::vector<std::string>, std::vector<Row>>& groups,
                  const std::vector<HealingAction>& actions, const HealingOptions& options) {
  for (const auto& [key, rows] : groups) {
    for (const Row& r : rows) {
      if (r.removed) {
        if (options.before_delete) {
          for (const auto& a : actions) {
            if (a.row_id == r.id && a.table == def.table) {
              options.before_delete(def, a);
              break;
            }
          }
        }
        conn.Run(fmt::format("DELETE FROM ${{usage}}.{} WHERE id = ?", def.table), r.id);
      } else if (r.changed) {
        conn.Run(fmt::format("UPDATE ${{usage}}.{} SET {} = ? WHERE id = ?", def.table,
                             def.end_column),
                 r.end, r.id);
      }
    }
  }
}

}  // namespace

void RecordHealing(store::Connection& conn, const std::vector<HealingAction>& actions,
                   Instant now) {
  auto logger = spdlog::get("healing");
  for (const auto& a : actions) {
    (logger ? logger : spdlog::default_logger())
        ->warn("healed {} in {} (row {}{}): {}", a.kind, a.table, a.row_id,
               a.related_id ? fmt::format(", related {}", *a.related_id) : "", a.detail);
    conn.Run(
        "INSERT INTO ${usage}.usaged_healing (kind, table_name, row_id, related_id, detail, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?)",
        a.kind, a.table, a.row_id, a.related_id, a.detail.substr(0, 1024), now);
  }
}

std::vector<HealingAction> HealHelperTables(store::Connection& conn, std::optional<Instant> from,
                                            Instant now) {
  HealingOptions options;
  options.from = from;
  return HealHelperTables(conn, options, now);
}

std::vector<HealingAction> HealHelperTables(store::Connection& conn,
                                            const HealingOptions& options, Instant now) {
  std::vector<HealingAction> actions;
  store::Transaction tx(conn);
  for (const TableDef* def : AllIntervalTables()) {
    auto groups = LoadRecentRows(conn, *def, options.from);
    size_t before = actions.size();
    for (auto& [key, rows] : groups) HealOverlaps(*def, rows, options.from, actions);
    if (def == &kVmInstanceTable) HealRunningAfterDestroy(groups, options.from, actions);
    if (actions.size() != before && !options.dry_run) {
      WriteChanges(conn, *def, groups,
                   std::vector<HealingAction>(actions.begin() + before, actions.end()), options);
    }
  }
  if (options.dry_run) return actions;  // the transaction rolls back: it wrote nothing
  RecordHealing(conn, actions, now);
  tx.Commit();
  return actions;
}

}  // namespace usaged::ingest
