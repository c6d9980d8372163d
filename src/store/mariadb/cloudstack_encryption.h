// CloudStack's encrypted configuration values: db.properties entries written
// as ENC(...) when db.cloud.encryption.type is "file" or "env" (the default
// of cloudstack-setup-databases), so that usaged reads the file an operator
// already has.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace usaged::store {

// Decrypts the base64 text inside ENC(...) with CloudStack's secret key. Tries
// CloudStack's current format first (AES-256-GCM keyed by SHA-256 of the
// secret; nonce, cipher text and tag in that order), then its legacy one
// (PBEWithMD5AndDES with an 8-byte salt in front, 1000 iterations), as
// CloudStack itself does. nullopt when neither opens it (a wrong key).
std::optional<std::string> DecryptCloudStackValue(std::string_view secret,
                                                  std::string_view encrypted);

// The secret key for encryption type `type`: "file" reads the first line of
// `key_file` if given, else of the first existing of `key` beside the
// properties file, /etc/cloudstack/usage/key and
// /etc/cloudstack/management/key; "env" reads CLOUD_SECRET_KEY. Throws
// InputError naming what was tried ("web" is refused: it needs a person to
// type the key at start-up).
std::string LoadCloudStackSecret(const std::string& type, const std::string& properties_path,
                                 const std::string& key_file);

// Replaces every ENC(...) value in `props` by its plain text, as CloudStack
// does when db.cloud.encryption.type is set (and not "none"). Throws
// InputError naming the property that does not decrypt (never its value).
void DecryptCloudStackProperties(std::map<std::string, std::string>& props,
                                 const std::string& properties_path,
                                 const std::string& key_file);

}  // namespace usaged::store
