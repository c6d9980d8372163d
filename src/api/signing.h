#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.h"

namespace usaged::api {

// Request parameters as received (URL-decoded), in arrival order. CloudStack
// keeps the first value of a repeated name.
using Params = std::vector<std::pair<std::string, std::string>>;

// The first value of `name` (exact, case-sensitive match), if present.
std::optional<std::string> FindParam(const Params& params, std::string_view name);
// The first value of `name` compared case-insensitively (apiKey/apikey).
std::optional<std::string> FindParamNoCase(const Params& params, std::string_view name);

// Percent-encoding as java.net.URLEncoder does it (letters, digits and
// ".-*_" kept, everything else %XX of its UTF-8 bytes), with spaces as %20.
std::string JavaUrlEncode(std::string_view value);

// The text CloudStack signs: every parameter but `signature`, sorted by name
// (byte order, as Java sorts ASCII names), as name=JavaUrlEncode(value)
// joined with '&', then lower-cased as a whole.
std::string StringToSign(const Params& params);

// base64(HMAC-SHA1(secret, StringToSign(params))).
std::string Sign(std::string_view secret, const Params& params);

// Constant-time comparison, so a wrong signature reveals nothing by timing.
bool SameSignature(std::string_view a, std::string_view b);

// Parses `expires` for signatureversion=3: "yyyy-MM-dd'T'HH:mm:ss" with an
// optional ".SSS" and a zone "+HHMM", "+HH:MM" or "Z". nullopt if malformed.
std::optional<Instant> ParseExpires(std::string_view text);

}  // namespace usaged::api
