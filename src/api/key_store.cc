#include "api/key_store.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <memory>

#include "core/crypto.h"
#include "core/error.h"

namespace usaged::api {

std::string_view ToString(Role role) {
  switch (role) {
    case Role::kAdmin: return "admin";
    case Role::kDomainAdmin: return "domain-admin";
    case Role::kUser: return "user";
  }
  return "user";
}

std::optional<Role> ParseRole(std::string_view text) {
  if (text == "admin") return Role::kAdmin;
  if (text == "domain-admin") return Role::kDomainAdmin;
  if (text == "user") return Role::kUser;
  return std::nullopt;
}

Role RoleOfAccountType(int64_t type) {
  if (type == 1) return Role::kAdmin;
  if (type == 2 || type == 3) return Role::kDomainAdmin;
  return Role::kUser;
}

namespace {

constexpr size_t kKeyBytes = 32;

}  // namespace

std::string RandomToken(size_t bytes) {
  std::string b64 = crypto::Base64Encode(crypto::RandomBytes(bytes));
  std::string out;
  for (char c : b64) {
    if (c == '+') out += '-';
    else if (c == '/') out += '_';
    else if (c != '=') out += c;
  }
  return out;
}

SecretBox SecretBox::FromKeyFile(const std::string& path, bool create_if_missing) {
  std::ifstream in(path, std::ios::binary);
  if (!in && create_if_missing) {
    std::string key = crypto::RandomBytes(kKeyBytes);
    mode_t old = umask(077);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(key.data(), static_cast<std::streamsize>(key.size()));
    out.close();
    umask(old);
    if (!out) throw InputError(fmt::format("cannot write the key file '{}'", path));
    return SecretBox(key);
  }
  if (!in) throw InputError(fmt::format("cannot read the key file '{}'", path));
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (key.size() != kKeyBytes) {
    throw InputError(fmt::format("the key file '{}' must hold exactly {} bytes", path, kKeyBytes));
  }
  return SecretBox(key);
}

std::string SecretBox::Seal(std::string_view plaintext) const {
  std::string nonce = crypto::RandomBytes(crypto::kGcmNonceBytes);
  crypto::Sealed sealed = crypto::AesGcmSeal(key_, nonce, plaintext);
  return crypto::Base64Encode(nonce + sealed.tag + sealed.cipher);
}

std::string SecretBox::Open(std::string_view sealed) const {
  std::optional<std::string> raw = crypto::Base64Decode(sealed);
  if (!raw || raw->empty()) throw Error("sealed secret is not base64");
  constexpr size_t kHeader = crypto::kGcmNonceBytes + crypto::kGcmTagBytes;
  if (raw->size() < kHeader) throw Error("sealed secret is too short");
  std::string_view bytes(*raw);
  auto plain = crypto::AesGcmOpen(key_, bytes.substr(0, crypto::kGcmNonceBytes),
                                  bytes.substr(kHeader),
                                  bytes.substr(crypto::kGcmNonceBytes, crypto::kGcmTagBytes));
  if (!plain) throw Error("a sealed secret does not open with this key file");
  return *plain;
}

KeyStore::Created KeyStore::Create(int64_t account_id, Role role, Instant now) {
  if (!box_) throw InputError("creating API keys needs a key file (--key-file)");
  auto found = conn_.QueryInt(
      "SELECT count(*) FROM ${cloud}.account WHERE id = ? AND removed IS NULL", account_id);
  if (!found || *found == 0) {
    throw InputError(fmt::format("no account {} in cloud.account (or it was removed)", account_id));
  }
  Created created{RandomToken(48), RandomToken(48)};
  conn_.Run("INSERT INTO ${usage}.usaged_api_key (api_key, sealed_secret, account_id, role, "
            "created_at) VALUES (?, ?, ?, ?, ?)",
            created.api_key, box_->Seal(created.secret_key), account_id, ToString(role), now);
  return created;
}

std::vector<ApiKeyInfo> KeyStore::List() {
  auto& q = conn_.Prepare("SELECT api_key, account_id, role, created_at, revoked_at FROM "
                          "${usage}.usaged_api_key ORDER BY id");
  q.Reset();
  std::vector<ApiKeyInfo> out;
  while (q.Next()) {
    ApiKeyInfo k;
    k.api_key = q.Text(0);
    k.account_id = q.Int(1);
    k.role = ParseRole(q.Text(2)).value_or(Role::kUser);
    k.created_at = q.Time(3);
    k.revoked_at = q.OptTime(4);
    out.push_back(std::move(k));
  }
  return out;
}

bool KeyStore::Revoke(const std::string& api_key, Instant now) {
  return conn_.Run("UPDATE ${usage}.usaged_api_key SET revoked_at = ? WHERE api_key = ? AND "
                   "revoked_at IS NULL",
                   now, api_key) == 1;
}

std::optional<Credential> KeyStore::Find(const std::string& api_key, std::string* why) {
  std::string own_why;
  if (auto own = FindOwn(api_key, own_why)) return own;
  auto user = FindCloudStackUser(api_key);
  if (!user && why) *why = own_why.empty() ? "unknown or revoked key" : own_why;
  return user;
}

std::optional<std::string> KeyStore::FirstUnopenableKey() {
  if (!box_) return std::nullopt;
  auto& q = conn_.Prepare("SELECT api_key, sealed_secret FROM ${usage}.usaged_api_key WHERE "
                          "revoked_at IS NULL ORDER BY id");
  q.Reset();
  std::optional<std::string> found;
  while (!found && q.Next()) {
    try {
      box_->Open(q.Text(1));
    } catch (const Error&) {
      found = q.Text(0);
    }
  }
  q.Reset();
  return found;
}

int64_t KeyStore::LiveKeyCount() {
  return conn_.QueryInt("SELECT count(*) FROM ${usage}.usaged_api_key WHERE revoked_at IS NULL")
      .value_or(0);
}

std::optional<Credential> KeyStore::FindOwn(const std::string& api_key, std::string& why) {
  if (!box_) return std::nullopt;
  auto& q = conn_.Prepare("SELECT sealed_secret, account_id, role FROM ${usage}.usaged_api_key "
                          "WHERE api_key = ? AND revoked_at IS NULL");
  q.Bind(api_key);
  if (!q.Next()) return std::nullopt;
  Credential c;
  std::string sealed = q.Text(0);
  c.caller.account_id = q.Int(1);
  c.caller.role = ParseRole(q.Text(2)).value_or(Role::kUser);
  c.caller.api_key = api_key;
  q.Reset();
  try {
    c.secret = box_->Open(sealed);
  } catch (const Error&) {
    // Sealed with another key file: no request can be verified with it.
    why = "its stored secret does not open with the server's key file";
    return std::nullopt;
  }
  if (!FillDomain(c.caller)) return std::nullopt;
  return c;
}

std::optional<Credential> KeyStore::FindCloudStackUser(const std::string& api_key) {
  // cloud.user belongs to CloudStack; an embedded store may not have it.
  try {
    auto& q = conn_.Prepare(
        "SELECT u.secret_key, a.id, a.type FROM ${cloud}.user u JOIN ${cloud}.account a ON "
        "a.id = u.account_id WHERE u.api_key = ? AND u.removed IS NULL AND a.removed IS NULL "
        "AND lower(u.state) = 'enabled' AND lower(a.state) = 'enabled' AND u.secret_key IS "
        "NOT NULL");
    q.Bind(api_key);
    if (!q.Next()) return std::nullopt;
    Credential c;
    c.secret = q.Text(0);
    // CloudStack encrypts secret_key when its database encryption is on.
    if (auto plain = conn_.DecryptCloudStackValue(c.secret)) c.secret = *plain;
    c.caller.account_id = q.Int(1);
    c.caller.role = RoleOfAccountType(q.Int(2));
    c.caller.api_key = api_key;
    q.Reset();
    if (!FillDomain(c.caller)) return std::nullopt;
    return c;
  } catch (const DbError&) {
    return std::nullopt;
  }
}

bool KeyStore::FillDomain(Caller& caller) {
  auto& q = conn_.Prepare("SELECT d.id, d.path FROM ${cloud}.account a JOIN ${cloud}.domain d "
                          "ON d.id = a.domain_id WHERE a.id = ?");
  q.Bind(caller.account_id);
  if (!q.Next()) return false;
  caller.domain_id = q.Int(0);
  caller.domain_path = q.Text(1);
  q.Reset();
  return true;
}

}  // namespace usaged::api
