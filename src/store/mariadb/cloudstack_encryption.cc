#include "store/mariadb/cloudstack_encryption.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "core/crypto.h"
#include "core/error.h"

namespace usaged::store {
namespace {

constexpr size_t kLegacySaltBytes = 8;
constexpr int kLegacyIterations = 1000;

// Single DES lives in OpenSSL 3's legacy provider; a private library context
// loads it without changing what the rest of the process sees.
struct LegacyCrypto {
  LegacyCrypto() {
    ctx = OSSL_LIB_CTX_new();
    if (!ctx) return;
    legacy = OSSL_PROVIDER_load(ctx, "legacy");
    base = OSSL_PROVIDER_load(ctx, "default");
    if (legacy && base) des = EVP_CIPHER_fetch(ctx, "DES-CBC", nullptr);
  }
  ~LegacyCrypto() {
    EVP_CIPHER_free(des);
    if (legacy) OSSL_PROVIDER_unload(legacy);
    if (base) OSSL_PROVIDER_unload(base);
    OSSL_LIB_CTX_free(ctx);
  }
  OSSL_LIB_CTX* ctx = nullptr;
  OSSL_PROVIDER* legacy = nullptr;
  OSSL_PROVIDER* base = nullptr;
  EVP_CIPHER* des = nullptr;
};

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string Md5(std::string_view bytes) {
  std::string digest(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), reinterpret_cast<unsigned char*>(digest.data()), &len,
             EVP_md5(), nullptr);
  digest.resize(len);
  return digest;
}

std::optional<std::string> DecryptGcm(std::string_view secret, std::string_view raw) {
  if (raw.size() < crypto::kGcmNonceBytes + crypto::kGcmTagBytes) return std::nullopt;
  const size_t cipher_len = raw.size() - crypto::kGcmNonceBytes - crypto::kGcmTagBytes;
  return crypto::AesGcmOpen(crypto::Sha256(secret), raw.substr(0, crypto::kGcmNonceBytes),
                            raw.substr(crypto::kGcmNonceBytes, cipher_len),
                            raw.substr(crypto::kGcmNonceBytes + cipher_len));
}

// PKCS#5 v1.5 PBES1: MD5 applied 1000 times to password || salt gives the DES
// key (first 8 bytes) and IV (last 8). Java keeps the low byte of each char.
std::optional<std::string> DecryptLegacy(std::string_view secret, std::string_view raw) {
  if (raw.size() < kLegacySaltBytes + 8 || (raw.size() - kLegacySaltBytes) % 8 != 0) {
    return std::nullopt;
  }
  static const LegacyCrypto legacy;
  if (!legacy.des) {
    throw Error("OpenSSL's legacy provider (single DES) is not available; it is needed to "
                "decrypt CloudStack's legacy ENC(...) values");
  }
  std::string derived = Md5(std::string(secret) + std::string(raw.substr(0, kLegacySaltBytes)));
  for (int i = 1; i < kLegacyIterations; ++i) derived = Md5(derived);
  std::string_view cipher = raw.substr(kLegacySaltBytes);
  std::string plain(cipher.size() + 8, '\0');
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> c(EVP_CIPHER_CTX_new(),
                                                                    &EVP_CIPHER_CTX_free);
  int len = 0, tail = 0;
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  if (!c || EVP_DecryptInit_ex2(c.get(), legacy.des, Bytes(derived), Bytes(derived) + 8,
                                nullptr) != 1 ||
      EVP_DecryptUpdate(c.get(), out, &len, Bytes(cipher), static_cast<int>(cipher.size())) != 1 ||
      EVP_DecryptFinal_ex(c.get(), out + len, &tail) != 1) {
    return std::nullopt;
  }
  plain.resize(static_cast<size_t>(len + tail));
  return plain;
}

std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

std::optional<std::string> DecryptCloudStackValue(std::string_view secret,
                                                  std::string_view encrypted) {
  if (encrypted.empty()) return std::string();
  std::optional<std::string> raw = crypto::Base64Decode(encrypted);
  if (!raw) return std::nullopt;
  if (auto plain = DecryptGcm(secret, *raw)) return plain;
  return DecryptLegacy(secret, *raw);
}

std::string LoadCloudStackSecret(const std::string& type, const std::string& properties_path,
                                 const std::string& key_file) {
  if (type == "env") {
    const char* key = std::getenv("CLOUD_SECRET_KEY");
    if (!key || !*key) {
      throw InputError(fmt::format("{}: db.cloud.encryption.type=env, but CLOUD_SECRET_KEY is "
                                   "not set",
                                   properties_path));
    }
    return key;
  }
  if (type != "file") {
    throw InputError(fmt::format("{}: db.cloud.encryption.type={} is not supported by usaged "
                                 "(use file or env, or give the password with --db)",
                                 properties_path, type));
  }
  std::vector<std::string> candidates;
  if (!key_file.empty()) {
    candidates.push_back(key_file);
  } else {
    candidates.push_back(
        (std::filesystem::path(properties_path).parent_path() / "key").string());
    candidates.push_back("/etc/cloudstack/usage/key");
    candidates.push_back("/etc/cloudstack/management/key");
  }
  for (const std::string& path : candidates) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) continue;
    std::string key = FirstLine(path);
    if (key.empty()) throw InputError(fmt::format("the CloudStack key file {} is empty", path));
    return key;
  }
  std::string tried;
  for (const std::string& path : candidates) tried += (tried.empty() ? "" : ", ") + path;
  throw InputError(fmt::format("{}: db.cloud.encryption.type=file, but no CloudStack key file was "
                               "found (tried {}); give it with --db-key-file",
                               properties_path, tried));
}

void DecryptCloudStackProperties(std::map<std::string, std::string>& props,
                                 const std::string& properties_path,
                                 const std::string& key_file) {
  auto type = props.find("db.cloud.encryption.type");
  if (type == props.end() || type->second.empty() || type->second == "none") return;
  std::optional<std::string> secret;
  for (auto& [name, value] : props) {
    if (!value.starts_with("ENC(") || !value.ends_with(")")) continue;
    if (!secret) secret = LoadCloudStackSecret(type->second, properties_path, key_file);
    auto plain = DecryptCloudStackValue(*secret, std::string_view(value).substr(4, value.size() - 5));
    if (!plain) {
      throw InputError(fmt::format("{}: {} does not decrypt with CloudStack's secret key (a "
                                   "different key file?)",
                                   properties_path, name));
    }
    value = *plain;
  }
}

}  // namespace usaged::store
