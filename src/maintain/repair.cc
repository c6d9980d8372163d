#include "maintain/repair.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/error.h"
#include "core/usage_types.h"
#include "ingest/healing.h"
#include "ingest/helper_tables.h"
#include "job/usage_run.h"
#include "job/window_ledger.h"
#include "maintain/repair_steps.h"
#include "store/migrator.h"

namespace usaged::maintain {

void FindingTally::Add(const RepairFinding& f) {
  Key key{f.table, f.problem, f.usage_type, f.event_type, f.account_id, f.action};
  auto [it, inserted] = by_key_.try_emplace(key, f);
  if (inserted) return;
  RepairFinding& sum = it->second;
  sum.rows += f.rows;
  if (f.first && (!sum.first || *f.first < *sum.first)) sum.first = f.first;
  if (f.last && (!sum.last || *f.last > *sum.last)) sum.last = f.last;
}

std::vector<RepairFinding> FindingTally::Sorted() const {
  std::vector<RepairFinding> out;
  for (const auto& [key, f] : by_key_) out.push_back(f);
  return out;
}

void CopyToAudit(store::Connection& conn, std::string_view table, std::string_view columns,
                 int64_t id, Instant now, const std::string& reason) {
  conn.Run(fmt::format("INSERT INTO ${{usage}}.{0}_removed ({1}, removed_at, reason) "
                       "SELECT {1}, ?, ? FROM ${{usage}}.{0} WHERE id = ?",
                       table, columns),
           now, reason.substr(0, 1024), id);
}

namespace {

// The helper tables `usaged repair` keeps audit copies of (migration 0014).
bool HasAuditTable(std::string_view table) {
  for (std::string_view t : {"usage_vm_instance", "usage_ip_address", "usage_volume",
                             "usage_storage", "usage_network_offering"}) {
    if (t == table) return true;
  }
  return false;
}

// The usage type a helper row bills, from its table and resource key.
std::optional<int64_t> HelperUsageType(const std::string& table,
                                       const std::vector<std::string>& resource) {
  namespace t = usage_type;
  auto field = [&](size_t i) -> std::optional<int64_t> {
    if (i >= resource.size() || resource[i] == "NULL") return std::nullopt;
    return std::stoll(resource[i]);
  };
  if (table == "usage_vm_instance") return field(2);
  if (table == "usage_ip_address") return t::kIpAddress;
  if (table == "usage_volume") return t::kVolume;
  if (table == "usage_network_offering") return t::kNetworkOffering;
  if (table == "usage_storage") {
    switch (field(2).value_or(0)) {
      case ingest::storage_type::kTemplate: return t::kTemplate;
      case ingest::storage_type::kIso: return t::kIso;
      case ingest::storage_type::kSnapshot: return t::kSnapshot;
      case ingest::storage_type::kVolume: return t::kVolumeSecondary;
      default: return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string HelperColumns(const ingest::TableDef& def) {
  std::string cols = "id, " + def.start_column + ", " + def.end_column;
  for (const auto& c : def.columns) cols += ", " + c.name;
  return cols;
}

// True when usaged's own objects are installed (so the database has
// usage_key and the audit tables), false on CloudStack's schema alone.
bool HasUsagedSchema(store::Connection& conn) {
  try {
    conn.QueryInt("SELECT max(version) FROM ${usage}.usaged_schema_version");
    return true;
  } catch (const DbError&) {
    return false;
  }
}

std::optional<Instant> ContinueFrom(store::Connection& conn, bool usaged_schema) {
  if (usaged_schema) {
    job::WindowLedger ledger(conn);
    if (auto planned = ledger.PlannedUntil()) return ledger.Checkpoint();
  }
  UsageSettings settings = job::LoadSettings(conn);
  WindowCalendar calendar(settings);
  return job::FindOrigin(conn, calendar);
}

}  // namespace

void RepairHelperRows(RepairContext& ctx) {
  ingest::HealingOptions heal;
  heal.dry_run = ctx.options.dry_run;
  const Instant now = ctx.options.now;
  heal.before_delete = [&](const ingest::TableDef& def, const ingest::HealingAction& a) {
    if (!HasAuditTable(def.table)) {
      throw Error(fmt::format("repair has no audit table for {}; row {} was not removed",
                              def.table, a.row_id));
    }
    CopyToAudit(ctx.conn, def.table, HelperColumns(def), a.row_id, now,
                fmt::format("{}: {}", a.kind, a.detail));
  };
  auto actions = ingest::HealHelperTables(ctx.conn, heal, now);
  for (const auto& a : actions) {
    RepairFinding f;
    f.table = a.table;
    f.problem = a.kind;
    f.usage_type = HelperUsageType(a.table, a.resource);
    if (!a.resource.empty() && a.resource[0] != "NULL") f.account_id = std::stoll(a.resource[0]);
    f.rows = 1;
    f.first = a.row_start;
    f.last = a.row_end;
    f.action = a.removed ? "moved" : "ended";
    ctx.tally.Add(f);
  }
  if (!ctx.options.dry_run) ctx.changed_rows += static_cast<int64_t>(actions.size());
}

RepairReport RepairDatabase(store::Connection& conn, const RepairOptions& options) {
  bool usaged_schema = HasUsagedSchema(conn);
  if (!options.dry_run) {
    if (auto server = LiveUsageServer(conn, options.now)) {
      throw DbError(fmt::format("a usage server is running ({}); stop it before repairing",
                                *server),
                    0, false);
    }
    store::Migrator migrator(conn);
    if (int applied = migrator.Up(options.now)) {
      spdlog::info("repair applied {} schema migration(s) first", applied);
    }
    usaged_schema = true;
  } else if (usaged_schema) {
    store::Migrator(conn).RequireCurrent();
  }
  FindingTally tally;
  RepairContext ctx{conn, options, tally, usaged_schema};
  RepairJobs(ctx);
  RepairEvents(ctx);
  RepairHelperRows(ctx);
  RepairRecords(ctx);

  RepairReport report;
  report.continue_from = ContinueFrom(conn, usaged_schema);
  report.findings = tally.Sorted();
  report.changed_rows = ctx.changed_rows;
  spdlog::info("repair{}: {} finding(s), {} row(s) changed; billing continues at {}",
               options.dry_run ? " (dry run)" : "", report.findings.size(), report.changed_rows,
               report.continue_from ? FormatUtc(*report.continue_from) : "none");
  return report;
}

}  // namespace usaged::maintain
