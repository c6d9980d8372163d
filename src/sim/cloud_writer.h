#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/time.h"
#include "store/connection.h"

namespace usaged::sim {

// The fields of a cloud.usage_event row as CloudStack's management server
// writes it.
struct EventSpec {
  std::string type;
  int64_t account_id = 0;
  Instant created{};
  int64_t zone_id = 1;
  std::optional<int64_t> resource_id;
  std::optional<std::string> resource_name;
  std::optional<int64_t> offering_id;
  std::optional<int64_t> template_id;
  std::optional<int64_t> size;
  std::optional<std::string> resource_type;
  std::optional<int64_t> virtual_size;
  std::map<std::string, std::string> details;
};

// An event of `resource` (and, for the types that carry one, its offering)
// with no other fields set.
inline EventSpec ResourceEvent(std::string type, int64_t account, Instant created,
                               int64_t resource,
                               std::optional<int64_t> offering = std::nullopt) {
  EventSpec e;
  e.type = std::move(type);
  e.account_id = account;
  e.created = created;
  e.resource_id = resource;
  e.offering_id = offering;
  return e;
}

// Writes the `cloud` tables the way CloudStack's management server does:
// domains, accounts and usage events (with details). Used by the demo, the
// tests and the benchmarks to build a cloud's history.
class CloudWriter {
 public:
  explicit CloudWriter(store::Connection& conn) : conn_(conn) {}

  // A domain under `parent` (nullopt: the ROOT domain). Returns its id.
  int64_t AddDomain(const std::string& name, std::optional<int64_t> parent);
  // An account of `type` (0 user, 1 root admin, 2 domain admin). Returns its id.
  int64_t AddAccount(const std::string& name, int64_t domain_id, int type = 0);
  void RemoveAccount(int64_t account_id, Instant when);
  // Appends one event; returns its id.
  int64_t AddEvent(const EventSpec& event);

 private:
  store::Connection& conn_;
};

}  // namespace usaged::sim
