#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>

#include "core/time.h"
#include "store/connection.h"

namespace usaged::store {

// An account as cloud_usage.account holds it (copied from cloud.account).
struct AccountRef {
  int64_t id = 0;
  int64_t domain_id = 0;
  std::optional<Instant> removed;
};

// Every account of cloud_usage.account, loaded once per job so that event
// application and parsing need no per-row account lookups in SQL.
class AccountDirectory {
 public:
  static AccountDirectory Load(Connection& conn);

  // nullptr for an account cloud_usage does not know.
  const AccountRef* Find(int64_t id) const {
    auto it = accounts_.find(id);
    return it == accounts_.end() ? nullptr : &it->second;
  }
  size_t size() const { return accounts_.size(); }

 private:
  std::unordered_map<int64_t, AccountRef> accounts_;
};

}  // namespace usaged::store
