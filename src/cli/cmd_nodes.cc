#include <fmt/format.h>

#include <iostream>

#include "cli/app.h"
#include "cli/output.h"
#include "cluster/node_status.h"
#include "job/usage_run.h"

namespace usaged::cli {

void RegisterNodes(CLI::App& app, const GlobalOptions& options, Action& action) {
  auto format = std::make_shared<std::string>("table");
  auto* cmd = app.add_subcommand(
      "nodes", "List the usaged nodes sharing this database (MariaDB), with their state, unit "
               "claims and the ingest lease");
  cmd->add_option("--format", *format, "table, json or csv")->capture_default_str();
  cmd->callback([&options, &action, format] {
    action = [&options, format] {
      Format f = ParseFormat(*format);
      auto db = OpenReady(options);
      if (db.store->engine() == store::Engine::kSqlite && f == Format::kTable) {
        std::cout << "The embedded SQLite store runs usage jobs in one process at a time "
                     "(no nodes); use MariaDB for several nodes.\n";
        return kExitOk;
      }
      int64_t lease_ms = int64_t{job::LoadSettings(*db.conn).lease_seconds} * 1000;
      ResultTable table({"id", "host", "pid", "started", "state", "heartbeat_age_s", "claims",
                         "ingest_lease", "units_done"});
      for (const auto& n : cluster::ListNodes(*db.conn, lease_ms)) {
        nlohmann::ordered_json lease;
        if (n.ingest_lease_expires_in_ms) {
          lease = fmt::format("held, expires in {:.1f} s", *n.ingest_lease_expires_in_ms / 1000.0);
        }
        table.Add({n.id, n.host, n.pid, FormatUtc(n.started_at), n.state,
                   n.heartbeat_age_ms / 1000.0, n.claims, lease, n.units_done});
      }
      table.Print(f, std::cout);
      return kExitOk;
    };
  });
}

}  // namespace usaged::cli
