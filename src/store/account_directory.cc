#include "store/account_directory.h"

namespace usaged::store {

AccountDirectory AccountDirectory::Load(Connection& conn) {
  AccountDirectory dir;
  auto& q = conn.Prepare("SELECT id, domain_id, removed FROM ${usage}.account");
  while (q.Next()) {
    dir.accounts_[q.Int(0)] = AccountRef{q.Int(0), q.OptInt(1).value_or(0), q.OptTime(2)};
  }
  q.Reset();
  return dir;
}

}  // namespace usaged::store
