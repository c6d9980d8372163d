#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/caller.h"
#include "core/time.h"
#include "store/connection.h"

namespace usaged::api {

// Seals API secrets with AES-256-GCM under a 32-byte key kept in a file the
// operator controls (not in the database), so a copy of the database alone
// does not reveal any secret.
class SecretBox {
 public:
  // Reads the key file. With create_if_missing, a missing file is created
  // (mode 0600) with a fresh random key. Throws InputError if the file cannot
  // be read or does not hold exactly 32 bytes.
  static SecretBox FromKeyFile(const std::string& path, bool create_if_missing);

  // base64(nonce | tag | ciphertext).
  std::string Seal(std::string_view plaintext) const;
  // Throws Error if `sealed` was not sealed with this key or was altered.
  std::string Open(std::string_view sealed) const;

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

struct ApiKeyInfo {
  std::string api_key;
  int64_t account_id = 0;
  Role role = Role::kUser;
  Instant created_at{};
  std::optional<Instant> revoked_at;
};

// A caller and the secret its requests are signed with.
struct Credential {
  Caller caller;
  std::string secret;
};

// usaged's own API keys (cloud_usage.usaged_api_key), plus the keys
// CloudStack keeps in cloud.user where its secret is stored in clear.
class KeyStore {
 public:
  // `box` may be null: then only CloudStack's keys are usable.
  KeyStore(store::Connection& conn, const SecretBox* box) : conn_(conn), box_(box) {}

  struct Created {
    std::string api_key;
    std::string secret_key;
  };
  // A new key pair for an existing account (cloud.account). Throws InputError
  // for an unknown or removed account.
  Created Create(int64_t account_id, Role role, Instant now);
  std::vector<ApiKeyInfo> List();
  // False if no such key or it was already revoked.
  bool Revoke(const std::string& api_key, Instant now);

  // The credential of `api_key`: a usaged key (not revoked) first, else an
  // enabled CloudStack user of an enabled account. nullopt if neither, with
  // the reason in `why` (for the log, never for the client): among them a
  // usaged key whose secret does not open with this store's key file.
  std::optional<Credential> Find(const std::string& api_key, std::string* why = nullptr);

  // The first live (not revoked) usaged key whose sealed secret `box` (of
  // this store) cannot open, if any: sealing new keys with a key file that
  // cannot open the existing ones leaves some keys unusable by any server.
  std::optional<std::string> FirstUnopenableKey();
  // How many live usaged keys there are.
  int64_t LiveKeyCount();

 private:
  std::optional<Credential> FindOwn(const std::string& api_key, std::string& why);
  std::optional<Credential> FindCloudStackUser(const std::string& api_key);
  // Fills account_id's domain (id and path); false if the account is unknown.
  bool FillDomain(Caller& caller);

  store::Connection& conn_;
  const SecretBox* box_;
};

// Random URL-safe text of `bytes` random bytes (base64url, no padding).
std::string RandomToken(size_t bytes);

}  // namespace usaged::api
