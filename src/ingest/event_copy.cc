#include "ingest/event_copy.h"

namespace usaged::ingest {

int64_t SyncAccounts(store::Connection& conn) {
  static constexpr std::string_view kColumns =
      "id, account_name, uuid, type, role_id, domain_id, state, removed, cleanup_needed, "
      "network_domain";
  // CloudStack's copy in cloud_usage is narrower than cloud.account: its
  // account_name is utf8mb3 (cloud's is utf8mb4) and its network_domain holds
  // 100 characters (CloudStack takes up to 190, NetUtils.java:1108). In strict
  // mode one such account would stop every run, so the copy takes what fits:
  // characters outside the BMP become '?' (what a non-strict server stores)
  // and the domain is cut. usaged reads only id, domain_id and removed from
  // it. The pattern's backslashes are CHAR(92) so that it reads the same
  // under NO_BACKSLASH_ESCAPES.
  static constexpr std::string_view kMariaDbSource =
      "id, REGEXP_REPLACE(account_name, CONCAT('[^', CHAR(92 USING utf8mb4), 'x{0}-', "
      "CHAR(92 USING utf8mb4), 'x{FFFF}]'), '?'), uuid, type, role_id, domain_id, state, "
      "removed, cleanup_needed, LEFT(network_domain, 100)";
  std::string upsert;
  if (conn.engine() == store::Engine::kSqlite) {
    upsert = std::string("INSERT INTO ${usage}.account (") + std::string(kColumns) +
             ") SELECT " + std::string(kColumns) +
             " FROM ${cloud}.account WHERE true ON CONFLICT(id) DO UPDATE SET "
             "account_name = excluded.account_name, uuid = excluded.uuid, type = excluded.type, "
             "role_id = excluded.role_id, "
             "domain_id = excluded.domain_id, state = excluded.state, removed = excluded.removed, "
             "cleanup_needed = excluded.cleanup_needed, network_domain = excluded.network_domain";
  } else {
    upsert = std::string("INSERT INTO ${usage}.account (") + std::string(kColumns) +
             ") SELECT " + std::string(kMariaDbSource) +
             " FROM ${cloud}.account ON DUPLICATE KEY UPDATE "
             "account_name = VALUES(account_name), uuid = VALUES(uuid), type = VALUES(type), "
             "role_id = VALUES(role_id), "
             "domain_id = VALUES(domain_id), state = VALUES(state), removed = VALUES(removed), "
             "cleanup_needed = VALUES(cleanup_needed), network_domain = VALUES(network_domain)";
  }
  store::Transaction tx(conn);
  conn.Run(upsert);
  tx.Commit();
  return conn.QueryInt("SELECT count(*) FROM ${usage}.account").value_or(0);
}

int64_t CopyNewEvents(store::Connection& conn, int64_t recheck_ids) {
  int64_t watermark = conn.QueryInt("SELECT max(id) FROM ${usage}.usage_event").value_or(0);
  int64_t from = watermark > recheck_ids ? watermark - recheck_ids : 0;
  store::Transaction tx(conn);
  int64_t copied = conn.Run(
      "${insert_ignore} INTO ${usage}.usage_event (id, type, account_id, created, zone_id, "
      "resource_id, resource_name, offering_id, template_id, size, resource_type, virtual_size, "
      "processed) SELECT id, type, account_id, created, zone_id, resource_id, resource_name, "
      "offering_id, template_id, size, resource_type, virtual_size, 0 "
      "FROM ${cloud}.usage_event WHERE id > ? AND id NOT IN "
      "(SELECT id FROM ${usage}.usage_event_removed)",
      from);
  conn.Run(
      "${insert_ignore} INTO ${usage}.usage_event_details (id, usage_event_id, name, value) "
      "SELECT id, usage_event_id, name, value FROM ${cloud}.usage_event_details "
      "WHERE usage_event_id > ? AND usage_event_id NOT IN "
      "(SELECT id FROM ${usage}.usage_event_removed)",
      from);
  tx.Commit();
  return copied;
}

}  // namespace usaged::ingest
