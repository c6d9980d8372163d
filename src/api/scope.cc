#include "api/scope.h"

#include <fmt/format.h>

#include <charconv>


namespace usaged::api {
namespace {

std::optional<int64_t> AsNumber(const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<AccountRow> ReadAccount(store::Statement& q) {
  if (!q.Next()) {
    q.Reset();
    return std::nullopt;
  }
  AccountRow a{q.Int(0), q.OptInt(1).value_or(0), q.OptText(2).value_or(""),
               q.OptText(3).value_or("")};
  q.Reset();
  return a;
}

std::optional<DomainRow> ReadDomain(store::Statement& q) {
  if (!q.Next()) {
    q.Reset();
    return std::nullopt;
  }
  DomainRow d{q.Int(0), q.OptText(1).value_or(""), q.OptText(2).value_or(""), q.Text(3)};
  q.Reset();
  return d;
}

constexpr std::string_view kAccountColumns =
    "SELECT id, domain_id, account_name, uuid FROM ${cloud}.account WHERE ";
constexpr std::string_view kDomainColumns =
    "SELECT id, name, uuid, path FROM ${cloud}.domain WHERE ";

}  // namespace

std::optional<AccountRow> FindAccount(store::Connection& conn, const std::string& id_or_uuid) {
  if (auto n = AsNumber(id_or_uuid)) {
    return ReadAccount(conn.Prepare(std::string(kAccountColumns) + "id = ?").Bind(*n));
  }
  return ReadAccount(conn.Prepare(std::string(kAccountColumns) + "uuid = ?").Bind(id_or_uuid));
}

std::optional<AccountRow> FindAccountByName(store::Connection& conn, const std::string& name,
                                            int64_t domain_id) {
  return ReadAccount(conn.Prepare(std::string(kAccountColumns) +
                                  "account_name = ? AND domain_id = ? AND removed IS NULL")
                         .Bind(name, domain_id));
}

std::optional<DomainRow> FindDomain(store::Connection& conn, const std::string& id_or_uuid) {
  if (auto n = AsNumber(id_or_uuid)) return DomainById(conn, *n);
  return ReadDomain(conn.Prepare(std::string(kDomainColumns) + "uuid = ?").Bind(id_or_uuid));
}

std::optional<DomainRow> DomainById(store::Connection& conn, int64_t id) {
  return ReadDomain(conn.Prepare(std::string(kDomainColumns) + "id = ?").Bind(id));
}

std::vector<int64_t> DomainSubtree(store::Connection& conn, const std::string& path) {
  auto& q = conn.Prepare("SELECT id, path FROM ${cloud}.domain ORDER BY id");
  q.Reset();
  std::vector<int64_t> ids;
  while (q.Next()) {
    if (q.Text(1).starts_with(path)) ids.push_back(q.Int(0));
  }
  return ids;
}

std::set<int64_t> AccountsInDomains(store::Connection& conn, const std::vector<int64_t>& domains) {
  std::set<int64_t> wanted(domains.begin(), domains.end());
  auto& q = conn.Prepare("SELECT id, domain_id FROM ${cloud}.account");
  q.Reset();
  std::set<int64_t> accounts;
  while (q.Next()) {
    if (wanted.count(q.OptInt(1).value_or(-1))) accounts.insert(q.Int(0));
  }
  return accounts;
}

bool MaySee(const Caller& caller, int64_t account_id, const std::string& domain_path) {
  switch (caller.role) {
    case Role::kAdmin: return true;
    case Role::kDomainAdmin: return domain_path.starts_with(caller.domain_path);
    case Role::kUser: return account_id == caller.account_id;
  }
  return false;
}

ApiError NotInScope(std::string_view what, const std::string& sent) {
  return PermissionDenied(
      fmt::format("{} {} does not exist or is not within the caller's scope", what, sent));
}

namespace {

AccountRow SeenOrRefused(store::Connection& conn, const Caller& caller,
                         const std::optional<AccountRow>& account, const std::string& sent) {
  if (account) {
    auto domain = DomainById(conn, account->domain_id);
    if (domain && MaySee(caller, account->id, domain->path)) return *account;
  }
  throw NotInScope("Account", sent);
}

}  // namespace

AccountRow AccountInScope(store::Connection& conn, const Caller& caller,
                          const std::string& sent) {
  return SeenOrRefused(conn, caller, FindAccount(conn, sent), sent);
}

AccountRow AccountByNameInScope(store::Connection& conn, const Caller& caller,
                                const std::string& name, int64_t domain_id) {
  return SeenOrRefused(conn, caller, FindAccountByName(conn, name, domain_id), name);
}

DomainRow DomainInScope(store::Connection& conn, const Caller& caller, const std::string& sent) {
  auto domain = FindDomain(conn, sent);
  if (domain) {
    switch (caller.role) {
      case Role::kAdmin: return *domain;
      case Role::kDomainAdmin:
        if (domain->path.starts_with(caller.domain_path)) return *domain;
        break;
      case Role::kUser:
        if (domain->id == caller.domain_id) return *domain;
        break;
    }
  }
  throw NotInScope("Domain", sent);
}

}  // namespace usaged::api
