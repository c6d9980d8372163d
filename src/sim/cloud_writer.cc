#include "sim/cloud_writer.h"

#include <fmt/format.h>

namespace usaged::sim {

int64_t CloudWriter::AddDomain(const std::string& name, std::optional<int64_t> parent) {
  std::string path = "/";
  int level = 0;
  if (parent) {
    auto& q = conn_.Prepare("SELECT path, level FROM ${cloud}.domain WHERE id = ?").Bind(*parent);
    if (q.Next()) {
      path = q.Text(0) + name + "/";
      level = static_cast<int>(q.Int(1)) + 1;
    }
    q.Reset();
  }
  conn_.Run(
      "INSERT INTO ${cloud}.domain (parent, name, uuid, owner, path, level) VALUES (?, ?, ?, 2, ?, ?)",
      parent, name, fmt::format("dom-{}", name), path, level);
  return conn_.LastInsertId();
}

int64_t CloudWriter::AddAccount(const std::string& name, int64_t domain_id, int type) {
  conn_.Run(
      "INSERT INTO ${cloud}.account (account_name, uuid, type, domain_id, state) "
      "VALUES (?, ?, ?, ?, 'enabled')",
      name, fmt::format("acct-{}", name), type, domain_id);
  return conn_.LastInsertId();
}

void CloudWriter::RemoveAccount(int64_t account_id, Instant when) {
  conn_.Run("UPDATE ${cloud}.account SET removed = ?, state = 'disabled' WHERE id = ?", when,
            account_id);
}

int64_t CloudWriter::AddEvent(const EventSpec& e) {
  conn_.Run(
      "INSERT INTO ${cloud}.usage_event (type, account_id, created, zone_id, resource_id, "
      "resource_name, offering_id, template_id, size, resource_type, virtual_size) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      e.type, e.account_id, e.created, e.zone_id, e.resource_id, e.resource_name, e.offering_id,
      e.template_id, e.size, e.resource_type, e.virtual_size);
  int64_t id = conn_.LastInsertId();
  for (const auto& [name, value] : e.details) {
    conn_.Run(
        "INSERT INTO ${cloud}.usage_event_details (usage_event_id, name, value) VALUES (?, ?, ?)",
        id, name, value);
  }
  return id;
}

}  // namespace usaged::sim
