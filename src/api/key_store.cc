#include "api/key_store.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <memory>

#include "api/signing.h"
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
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

std::string Unbase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) throw Error("sealed secret is not base64");
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) throw Error("sealed secret is not base64");
  size_t pad = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string RandomBytes(size_t n) {
  std::string bytes(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
    throw Error("no random bytes from OpenSSL");
  }
  return bytes;
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherCtx NewCtx() { return CipherCtx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free); }

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string RandomToken(size_t bytes) {
  std::string b64 = Base64(RandomBytes(bytes));
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
    std::string key = RandomBytes(kKeyBytes);
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
  std::string nonce = RandomBytes(kNonceBytes);
  std::string cipher(plaintext.size(), '\0');
  std::string tag(kTagBytes, '\0');
  auto ctx = NewCtx();
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_),
                                 Bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(cipher.data()), &len,
                        Bytes(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), nullptr, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag.data()) != 1) {
    throw Error("sealing a secret failed");
  }
  return Base64(nonce + tag + cipher);
}

std::string SecretBox::Open(std::string_view sealed) const {
  std::string raw = Unbase64(sealed);
  if (raw.size() < kNonceBytes + kTagBytes) throw Error("sealed secret is too short");
  std::string nonce = raw.substr(0, kNonceBytes);
  std::string tag = raw.substr(kNonceBytes, kTagBytes);
  std::string cipher = raw.substr(kNonceBytes + kTagBytes);
  std::string plain(cipher.size(), '\0');
  auto ctx = NewCtx();
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_),
                                 Bytes(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                        Bytes(cipher), static_cast<int>(cipher.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), nullptr, &len) != 1) {
    throw Error("a sealed secret does not open with this key file");
  }
  return plain;
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

std::optional<Credential> KeyStore::Find(const std::string& api_key) {
  if (auto own = FindOwn(api_key)) return own;
  return FindCloudStackUser(api_key);
}

std::optional<Credential> KeyStore::FindOwn(const std::string& api_key) {
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
  c.secret = box_->Open(sealed);
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
