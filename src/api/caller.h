#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace usaged::api {

// What a caller may see: root admin (everything), domain admin (the accounts
// of its domain and the domains below), user (its own account).
enum class Role { kAdmin, kDomainAdmin, kUser };

std::string_view ToString(Role role);  // "admin", "domain-admin", "user"
// Parses ToString's names; nullopt for anything else.
std::optional<Role> ParseRole(std::string_view text);
// The role of a CloudStack account type (cloud.account.type): 1 root admin,
// 2 and 3 domain admins, everything else a user.
Role RoleOfAccountType(int64_t type);

// The authenticated caller of one request.
struct Caller {
  Role role = Role::kUser;
  int64_t account_id = 0;
  int64_t domain_id = 0;
  std::string domain_path;  // cloud.domain.path of domain_id, e.g. "/" or "/sales/"
  std::string api_key;
};

}  // namespace usaged::api
