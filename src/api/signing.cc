#include "api/signing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/crypto.h"

namespace usaged::api {

std::optional<std::string> FindParam(const Params& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::optional<std::string> FindParamNoCase(const Params& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k.size() == name.size() &&
        std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return std::nullopt;
}

std::string JavaUrlEncode(std::string_view value) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size() * 3);
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '*' || c == '_') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string StringToSign(const Params& params) {
  // One value per name (the first), like CloudStack's parameter map.
  std::vector<std::pair<std::string, std::string>> unique;
  for (const auto& p : params) {
    if (p.first == "signature") continue;
    bool seen = std::any_of(unique.begin(), unique.end(),
                            [&](const auto& u) { return u.first == p.first; });
    if (!seen) unique.push_back(p);
  }
  std::sort(unique.begin(), unique.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string text;
  for (const auto& [k, v] : unique) {
    if (!text.empty()) text += '&';
    text += k + "=" + JavaUrlEncode(v);
  }
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Sign(std::string_view secret, const Params& params) {
  std::string text = StringToSign(params);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &mac_len);
  return crypto::Base64Encode(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

bool SameSignature(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {

bool ReadInt(std::string_view text, size_t pos, size_t len, int& out) {
  if (pos + len > text.size()) return false;
  for (size_t i = pos; i < pos + len; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  std::from_chars(text.data() + pos, text.data() + pos + len, out);
  return true;
}

// Offset east of UTC in minutes from "Z", "+HHMM" or "+HH:MM".
std::optional<int> ParseZone(std::string_view zone) {
  if (zone == "Z") return 0;
  if (zone.size() < 5 || (zone[0] != '+' && zone[0] != '-')) return std::nullopt;
  int hours = 0;
  int minutes = 0;
  size_t minute_pos = zone[3] == ':' ? 4 : 3;
  if (zone.size() != minute_pos + 2 || !ReadInt(zone, 1, 2, hours) ||
      !ReadInt(zone, minute_pos, 2, minutes) || hours > 23 || minutes > 59) {
    return std::nullopt;
  }
  int offset = hours * 60 + minutes;
  return zone[0] == '-' ? -offset : offset;
}

}  // namespace

std::optional<Instant> ParseExpires(std::string_view text) {
  if (text.size() < 20 || text[10] != 'T') return std::nullopt;
  auto local = TryParseUtc(text.substr(0, 19));
  if (!local) return std::nullopt;
  size_t pos = 19;
  if (text[pos] == '.') {
    ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
  }
  auto offset = ParseZone(text.substr(pos));
  if (!offset) return std::nullopt;
  return *local - std::chrono::minutes(*offset);
}

}  // namespace usaged::api
