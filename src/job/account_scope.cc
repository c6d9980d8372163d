#include "job/account_scope.h"

#include <fmt/format.h>

#include <map>

#include "core/error.h"

namespace usaged::job {

std::optional<std::set<int64_t>> ResolveAccountScope(store::Connection& conn,
                                                     std::optional<int64_t> account_id,
                                                     std::optional<int64_t> domain_id) {
  if (account_id) {
    if (conn.QueryInt("SELECT count(*) FROM ${cloud}.account WHERE id = ?", *account_id) == 0) {
      throw InputError(fmt::format("unknown account {}: no such id in cloud.account",
                                   *account_id));
    }
    return std::set<int64_t>{*account_id};
  }
  if (!domain_id) return std::nullopt;
  // Sub-domains are the domains whose path starts with the domain's path;
  // compared here rather than with LIKE, where '_' in a name is a wildcard.
  std::map<int64_t, std::string> paths;
  auto& domains = conn.Prepare("SELECT id, path FROM ${cloud}.domain");
  while (domains.Next()) paths[domains.Int(0)] = domains.OptText(1).value_or("");
  domains.Reset();
  auto root = paths.find(*domain_id);
  if (root == paths.end()) {
    throw InputError(fmt::format("unknown domain {}: no such id in cloud.domain", *domain_id));
  }
  std::set<int64_t> in_scope_domains;
  for (const auto& [id, path] : paths) {
    if (id == root->first || (!root->second.empty() && path.starts_with(root->second))) {
      in_scope_domains.insert(id);
    }
  }
  std::set<int64_t> accounts;
  auto& q = conn.Prepare("SELECT id, domain_id FROM ${cloud}.account");
  while (q.Next()) {
    if (in_scope_domains.count(q.Int(1))) accounts.insert(q.Int(0));
  }
  q.Reset();
  return accounts;
}

}  // namespace usaged::job
