#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/caller.h"
#include "api/response.h"
#include "store/connection.h"

namespace usaged::api {

// Accounts and domains as CloudStack's cloud database holds them. API
// parameters name them by uuid (CloudStack's way) or by numeric id.
struct AccountRow {
  int64_t id = 0;
  int64_t domain_id = 0;
  std::string name;
  std::string uuid;
};
struct DomainRow {
  int64_t id = 0;
  std::string name;
  std::string uuid;
  std::string path;
};

std::optional<AccountRow> FindAccount(store::Connection& conn, const std::string& id_or_uuid);
std::optional<AccountRow> FindAccountByName(store::Connection& conn, const std::string& name,
                                            int64_t domain_id);
std::optional<DomainRow> FindDomain(store::Connection& conn, const std::string& id_or_uuid);
std::optional<DomainRow> DomainById(store::Connection& conn, int64_t id);

// Ids of the domain at `path` and of every domain below it (path prefix,
// compared byte for byte).
std::vector<int64_t> DomainSubtree(store::Connection& conn, const std::string& path);
// Ids of every account (removed ones too) in those domains.
std::set<int64_t> AccountsInDomains(store::Connection& conn, const std::vector<int64_t>& domains);

// Whether `caller` may see data of an account in `domain_path` with id
// `account_id`: root admin always, a domain admin within its subtree, a user
// only its own account.
bool MaySee(const Caller& caller, int64_t account_id, const std::string& domain_path);

// The refusal (531, cserrorcode 4365) for an account, domain, project or job
// the caller may not see, and equally for one that does not exist: the text
// names only `what` and the value the caller sent, never what the database
// holds, so that the answer does not tell which ids or names exist.
ApiError NotInScope(std::string_view what, const std::string& sent);

// The account `sent` (uuid or id) names, or throws NotInScope when there is
// none or the caller may not see it.
AccountRow AccountInScope(store::Connection& conn, const Caller& caller, const std::string& sent);
// The live account called `name` in domain `domain_id`, likewise.
AccountRow AccountByNameInScope(store::Connection& conn, const Caller& caller,
                                const std::string& name, int64_t domain_id);
// The domain `sent` (uuid or id) names, or throws NotInScope: a root admin
// may name any domain, a domain admin one of its subtree, a user its own
// domain only (where it still sees only its own account).
DomainRow DomainInScope(store::Connection& conn, const Caller& caller, const std::string& sent);

}  // namespace usaged::api
