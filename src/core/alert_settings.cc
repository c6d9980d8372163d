#include "core/alert_settings.h"

#include <fmt/format.h>

#include <cstdlib>
#include <sstream>

#include "core/error.h"

namespace usaged {
namespace {

bool HasControlOrSpace(std::string_view v) {
  for (char c : v) {
    if (static_cast<unsigned char>(c) <= ' ') return true;
  }
  return false;
}

std::string_view Trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

bool LooksLikeAddress(std::string_view v) {
  auto at = v.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < v.size() && !HasControlOrSpace(v) &&
         v.find_first_of("<>,;\"") == std::string_view::npos;
}

std::vector<std::string> SplitAddresses(std::string_view list) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = Trim(list.substr(pos, comma - pos));
    if (!item.empty()) out.emplace_back(item);
    pos = comma + 1;
  }
  return out;
}

void ValidateWord(std::string_view name, std::string_view v) {
  if (HasControlOrSpace(v)) {
    throw InputError(fmt::format("invalid value '{}' for {}: spaces and control characters are "
                                 "not allowed", v, name));
  }
}
void ValidateAnyText(std::string_view, std::string_view) {}
void ValidatePort(std::string_view name, std::string_view v) {
  RequireIntegerSetting(name, v, 1, 65535);
}
void ValidateTimeout(std::string_view name, std::string_view v) {
  RequireIntegerSetting(name, v, -1, 3600000);
}
void ValidateFailures(std::string_view name, std::string_view v) {
  RequireIntegerSetting(name, v, 0, 100000);
}
void ValidateRateLimit(std::string_view name, std::string_view v) {
  RequireIntegerSetting(name, v, 0, 525600);
}
void ValidateAttempts(std::string_view name, std::string_view v) {
  RequireIntegerSetting(name, v, 1, 1000);
}

void ValidateSender(std::string_view name, std::string_view v) {
  if (!v.empty() && !LooksLikeAddress(v)) {
    throw InputError(fmt::format("invalid value '{}' for {}: expected an e-mail address such as "
                                 "usage@example.com", v, name));
  }
}

void ValidateAddresses(std::string_view name, std::string_view v) {
  for (const auto& address : SplitAddresses(v)) {
    if (!LooksLikeAddress(address)) {
      throw InputError(fmt::format("invalid address '{}' in {}: expected comma-separated e-mail "
                                   "addresses such as ops@example.com,billing@example.com",
                                   address, name));
    }
  }
}

// CloudStack's protocol names mapped to TLS versions; the SSL ones have no
// TLS version (libcurl with OpenSSL 3 cannot speak them) and are ignored.
std::optional<std::string> TlsVersionOf(std::string_view protocol) {
  if (protocol == "TLSv1") return "1.0";
  if (protocol == "TLSv1.1") return "1.1";
  if (protocol == "TLSv1.2") return "1.2";
  if (protocol == "TLSv1.3") return "1.3";
  return std::nullopt;
}

std::vector<std::string> SplitWords(std::string_view v) {
  std::istringstream in{std::string(v)};
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

void ValidateProtocols(std::string_view name, std::string_view v) {
  for (const auto& p : SplitWords(v)) {
    if (!TlsVersionOf(p) && p != "SSLv3" && p != "SSLv2Hello") {
      throw InputError(fmt::format("invalid protocol '{}' in {}: expected white-space separated "
                                   "names among TLSv1 TLSv1.1 TLSv1.2 TLSv1.3", p, name));
    }
  }
}

void ValidateSecurity(std::string_view name, std::string_view v) {
  if (v != "" && v != "none" && v != "starttls" && v != "ssl") {
    throw InputError(fmt::format("invalid value '{}' for {}: expected none, starttls, ssl, or "
                                 "empty (decided by alert.smtp.useAuth and alert.smtp.useStartTLS "
                                 "as CloudStack does)", v, name));
  }
}

int TimeoutMillis(long long configured) {
  // CloudStack's -1 means "wait forever"; usaged never does, so a mail server
  // that stops answering cannot hold a job.
  return configured <= 0 ? 30000 : static_cast<int>(configured);
}

}  // namespace

const std::vector<ConfigKey>& AlertConfigKeys() {
  static const std::vector<ConfigKey> keys = {
      {"alert.email.addresses", "", "Comma-separated e-mail addresses that receive alerts.", true,
       ValidateAddresses},
      {"alert.email.sender", "", "Sender of alert e-mail (From header).", true, ValidateSender},
      {"alert.smtp.host", "", "SMTP server for alert e-mail; empty: alerts are only recorded.",
       true, ValidateWord},
      {"alert.smtp.port", "465", "Port of the SMTP server.", true, ValidatePort},
      {"alert.smtp.useAuth", "false", "Authenticate to the SMTP server (and, unless "
       "alert.smtp.useStartTLS, use SMTP over TLS, as CloudStack does).", true,
       RequireBooleanSetting},
      {"alert.smtp.username", "", "SMTP user name (with alert.smtp.useAuth).", true,
       ValidateAnyText},
      {"alert.smtp.password", "", "SMTP password (with alert.smtp.useAuth). The environment "
       "variable USAGED_ALERT_SMTP_PASSWORD takes precedence.", true, ValidateAnyText,
       /*secret=*/true},
      {"alert.smtp.useStartTLS", "false", "With alert.smtp.useAuth: secure the connection with "
       "STARTTLS.", true, RequireBooleanSetting},
      {"alert.smtp.enabledSecurityProtocols", "", "White-space separated TLS protocols allowed, "
       "e.g. \"TLSv1.2 TLSv1.3\"; empty: libcurl's defaults.", true, ValidateProtocols},
      {"alert.smtp.connectiontimeout", "30000", "Milliseconds to wait for a connection to the "
       "SMTP server (-1: the default, usaged never waits forever).", true, ValidateTimeout},
      {"alert.smtp.timeout", "30000", "Milliseconds the SMTP exchange of one mail may take after "
       "connecting (-1: the default).", true, ValidateTimeout},
      {"usage.alert.smtp.security", "", "none, starttls or ssl; empty: as CloudStack decides it "
       "from alert.smtp.useAuth and alert.smtp.useStartTLS.", false, ValidateSecurity},
      {"usage.alert.smtp.cafile", "", "PEM file of CA certificates that verify the SMTP server; "
       "empty: the system's.", false, ValidateAnyText},
      {"usage.alert.unit.failures", "3", "Raise an alert when a unit has failed this many times "
       "(0: never).", false, ValidateFailures},
      {"usage.alert.rate.limit.minutes", "60", "At most one mail per alert type and subject in "
       "this period; alerts raised meanwhile are summarised in the next mail (0: no limit).",
       false, ValidateRateLimit},
      {"usage.alert.send.max.attempts", "10", "Failed deliveries of an alert before usaged "
       "gives up on it.", false, ValidateAttempts},
  };
  return keys;
}

AlertSettings AlertSettings::Load(const ConfigLookup& lookup) {
  // CloudStack reads an empty alert value as unset (false, the default port),
  // and its databases hold such rows; so does usaged.
  const ConfigLookup set_values = [&](std::string_view name) -> std::optional<std::string> {
    auto v = lookup(name);
    if (v && Trim(*v).empty()) return std::nullopt;
    return v;
  };
  auto get = [&](std::string_view name) { return LoadConfigValue(set_values, name); };
  auto integer = [&](std::string_view name) { return std::stoll(std::string(Trim(get(name)))); };
  AlertSettings s;
  s.host = get("alert.smtp.host");
  s.port = static_cast<int>(integer("alert.smtp.port"));
  s.use_auth = get("alert.smtp.useAuth") == "true";
  const bool start_tls = get("alert.smtp.useStartTLS") == "true";
  std::string security = get("usage.alert.smtp.security");
  if (security == "none") {
    s.security = SmtpSecurity::kNone;
  } else if (security == "starttls") {
    s.security = SmtpSecurity::kStartTls;
  } else if (security == "ssl") {
    s.security = SmtpSecurity::kSsl;
  } else if (s.use_auth) {  // CloudStack: authenticated mail goes over TLS
    s.security = start_tls ? SmtpSecurity::kStartTls : SmtpSecurity::kSsl;
  }
  s.username = get("alert.smtp.username");
  s.password = get("alert.smtp.password");
  if (const char* env = std::getenv("USAGED_ALERT_SMTP_PASSWORD")) s.password = env;
  s.sender = get("alert.email.sender");
  s.recipients = SplitAddresses(get("alert.email.addresses"));
  s.ca_file = get("usage.alert.smtp.cafile");
  for (const auto& p : SplitWords(get("alert.smtp.enabledSecurityProtocols"))) {
    auto v = TlsVersionOf(p);
    if (!v) continue;
    if (s.min_tls.empty() || *v < s.min_tls) s.min_tls = *v;
    if (s.max_tls.empty() || *v > s.max_tls) s.max_tls = *v;
  }
  s.connect_timeout_ms = TimeoutMillis(integer("alert.smtp.connectiontimeout"));
  s.io_timeout_ms = TimeoutMillis(integer("alert.smtp.timeout"));
  s.rate_limit_minutes = static_cast<int>(integer("usage.alert.rate.limit.minutes"));
  s.max_send_attempts = static_cast<int>(integer("usage.alert.send.max.attempts"));
  return s;
}

}  // namespace usaged
