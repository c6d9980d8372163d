// Small cryptographic building blocks over OpenSSL, shared by the API key
// store, the SMTP client and the reader of CloudStack's encrypted
// db.properties values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace usaged::crypto {

// Standard base64 with padding.
std::string Base64Encode(std::string_view bytes);
// Decodes standard base64 (padding required, no whitespace); nullopt when
// `text` is not valid base64.
std::optional<std::string> Base64Decode(std::string_view text);

// `n` bytes from OpenSSL's random generator; throws Error if it has none.
std::string RandomBytes(size_t n);

std::string Sha256(std::string_view bytes);

// AES-256-GCM with a 12-byte nonce, a 16-byte tag and no associated data.
// `key` must hold 32 bytes.
struct Sealed {
  std::string cipher;
  std::string tag;
};
Sealed AesGcmSeal(std::string_view key, std::string_view nonce, std::string_view plaintext);
// nullopt when the tag does not verify (wrong key or altered bytes).
std::optional<std::string> AesGcmOpen(std::string_view key, std::string_view nonce,
                                      std::string_view cipher, std::string_view tag);

inline constexpr size_t kGcmNonceBytes = 12;
inline constexpr size_t kGcmTagBytes = 16;

}  // namespace usaged::crypto
