#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/settings.h"

namespace usaged {

// The configuration keys of alert e-mail: CloudStack's own alert.smtp.* and
// alert.email.* keys (same names and defaults, as the management server and
// the Java usage server read them) and usaged's usage.alert.* additions.
// KnownConfigKeys() includes them.
const std::vector<ConfigKey>& AlertConfigKeys();

// How the connection to the SMTP server is secured.
enum class SmtpSecurity {
  kNone,      // plain SMTP
  kStartTls,  // SMTP, then STARTTLS before anything else; refused if the server lacks it
  kSsl,       // TLS from the first byte (SMTPS)
};

// Everything alert delivery needs, read at delivery time.
struct AlertSettings {
  std::string host;  // empty: e-mail is not configured
  int port = 465;
  SmtpSecurity security = SmtpSecurity::kNone;
  bool use_auth = false;
  std::string username;
  std::string password;  // never logged
  std::string sender;
  std::vector<std::string> recipients;
  std::string ca_file;                  // empty: the system's CA certificates
  std::string min_tls, max_tls;         // e.g. "1.2"; empty: libcurl's defaults
  int connect_timeout_ms = 30000;
  int io_timeout_ms = 30000;
  int rate_limit_minutes = 60;
  int max_send_attempts = 10;

  // True when host, sender and at least one recipient are set.
  bool mail_configured() const { return !host.empty() && !sender.empty() && !recipients.empty(); }

  // Builds settings from raw values (nullopt: not set, use the default; the
  // caller decrypts alert.smtp.password when it can). The environment
  // variable USAGED_ALERT_SMTP_PASSWORD, when set, overrides the password.
  // Throws ConfigError naming the key for a value that cannot be used.
  static AlertSettings Load(const ConfigLookup& lookup);
};

}  // namespace usaged
