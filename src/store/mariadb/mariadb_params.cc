#include "store/mariadb/mariadb_params.h"

#include <fmt/format.h>

#include <charconv>
#include <map>

#include "core/error.h"
#include "store/mariadb/cloudstack_encryption.h"
#include "store/mariadb/java_properties.h"

namespace usaged::store {
namespace {

std::string PercentDecode(std::string_view s, std::string_view what) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      int v = 0;
      if (i + 2 >= s.size()) {
        throw InputError(fmt::format("invalid --db: bad percent-encoding in the {}", what));
      }
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec != std::errc() || p != s.data() + i + 3) {
        throw InputError(fmt::format("invalid --db: bad percent-encoding in the {}", what));
      }
      out += static_cast<char>(v);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

int ParsePort(std::string_view text, std::string_view context) {
  int port = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || p != text.data() + text.size() || port < 1 || port > 65535) {
    throw InputError(fmt::format("invalid port '{}' in {}: expected 1-65535", text, context));
  }
  return port;
}

void CheckDatabaseName(const std::string& name, std::string_view context) {
  if (name.empty() || name.size() > 64 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$") !=
          std::string::npos) {
    throw InputError(fmt::format("invalid database name '{}' in {}: use letters, digits and _",
                                 name, context));
  }
}

constexpr std::string_view kUrlForm =
    "expected mariadb://USER[:PASSWORD]@HOST[:PORT][/?cloud=DB&usage=DB&socket=PATH] (an IPv6 "
    "HOST in brackets: [::1])";

}  // namespace

std::string MariaDbParams::Describe() const {
  // An IPv6 address keeps its brackets, so the port stays readable.
  std::string shown_host = host.find(':') == std::string::npos ? host : "[" + host + "]";
  std::string where = socket.empty() ? fmt::format("{}:{}", shown_host, port) : socket;
  return fmt::format("mariadb://{}@{} ({}, {})", user, where, cloud_db, usage_db);
}

MariaDbParams ParseMariaDbUrl(std::string_view url) {
  constexpr std::string_view kScheme = "mariadb://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    throw InputError(fmt::format("invalid --db: {}", kUrlForm));
  }
  std::string_view rest = url.substr(kScheme.size());
  MariaDbParams p;
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  auto at = rest.rfind('@');
  if (at == std::string_view::npos) {
    throw InputError(fmt::format("invalid --db: no user given; {}", kUrlForm));
  }
  std::string_view credentials = rest.substr(0, at), hostport = rest.substr(at + 1);
  auto colon = credentials.find(':');
  p.user = PercentDecode(credentials.substr(0, colon), "user");
  if (colon != std::string_view::npos) {
    p.password = PercentDecode(credentials.substr(colon + 1), "password");
  }
  if (p.user.empty()) throw InputError(fmt::format("invalid --db: empty user; {}", kUrlForm));
  if (hostport.find('/') != std::string_view::npos) {
    throw InputError(fmt::format("invalid --db: unexpected path after the host; {}", kUrlForm));
  }
  if (!hostport.empty() && hostport.front() == '[') {
    // An IPv6 address in brackets, as in URLs: [::1] or [::1]:3306.
    auto close = hostport.find(']');
    if (close == std::string_view::npos) {
      throw InputError(fmt::format("invalid --db: '[' without ']' around the IPv6 host; {}",
                                   kUrlForm));
    }
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        throw InputError(fmt::format("invalid --db: unexpected '{}' after the IPv6 host; {}",
                                     after, kUrlForm));
      }
      p.port = ParsePort(after.substr(1), "--db");
    }
    hostport = hostport.substr(1, close - 1);
    if (hostport.find(':') == std::string_view::npos) {
      throw InputError(fmt::format("invalid --db: '{}' in brackets is not an IPv6 address; {}",
                                   hostport, kUrlForm));
    }
  } else if (auto port_colon = hostport.rfind(':'); port_colon != std::string_view::npos) {
    if (hostport.find(':') != port_colon) {
      throw InputError(fmt::format("invalid --db: an IPv6 host goes in brackets "
                                   "(mariadb://USER@[::1]:3306); {}", kUrlForm));
    }
    p.port = ParsePort(hostport.substr(port_colon + 1), "--db");
    hostport = hostport.substr(0, port_colon);
  }
  p.host = std::string(hostport);
  if (p.host.empty()) throw InputError(fmt::format("invalid --db: empty host; {}", kUrlForm));
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    auto eq = item.find('=');
    std::string key(item.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : PercentDecode(item.substr(eq + 1), key);
    if (key == "cloud") {
      p.cloud_db = value;
    } else if (key == "usage") {
      p.usage_db = value;
    } else if (key == "socket") {
      p.socket = value;
    } else if (key == "connect_timeout") {
      p.connect_timeout_s = ParsePort(value, "connect_timeout");
    } else {
      throw InputError(fmt::format("invalid --db: unknown option '{}' (known: cloud, usage, "
                                   "socket, connect_timeout)", key));
    }
  }
  CheckDatabaseName(p.cloud_db, "--db");
  CheckDatabaseName(p.usage_db, "--db");
  return p;
}

MariaDbParams ReadDbProperties(const std::string& path, const std::string& key_file) {
  std::map<std::string, std::string> props = ReadJavaProperties(path);
  DecryptCloudStackProperties(props, path, key_file);
  // Java keeps trailing blanks in values; only the password may need them.
  auto get = [&](const std::string& key, const std::string& fallback) {
    auto it = props.find(key);
    std::string value = it == props.end() ? "" : it->second;
    if (key != "db.cloud.password") {
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    }
    return value.empty() ? fallback : value;
  };
  MariaDbParams p;
  p.host = get("db.cloud.host", "localhost");
  p.port = ParsePort(get("db.cloud.port", "3306"), path);
  p.user = get("db.cloud.username", "cloud");
  p.password = get("db.cloud.password", "");
  p.cloud_db = get("db.cloud.name", "cloud");
  p.usage_db = get("db.usage.name", "cloud_usage");
  if (get("db.cloud.encryption.type", "none") != "none") {
    p.cloudstack_db_secret = get("db.cloud.encrypt.secret", "");
  }
  if (p.host == "localhost") p.host = "127.0.0.1";
  std::string usage_host = get("db.usage.host", p.host == "127.0.0.1" ? "localhost" : p.host);
  if (usage_host == "localhost") usage_host = "127.0.0.1";
  int usage_port = ParsePort(get("db.usage.port", std::to_string(p.port)), path);
  if (usage_host != p.host || usage_port != p.port) {
    throw InputError(fmt::format("{}: db.usage.host/port ({}:{}) differ from db.cloud.host/port "
                                 "({}:{}); usaged needs both databases on one server",
                                 path, usage_host, usage_port, p.host, p.port));
  }
  if (p.password.rfind("ENC(", 0) == 0) {
    throw InputError(fmt::format("{}: db.cloud.password is encrypted (ENC(...)); usaged cannot "
                                 "decrypt it without db.cloud.encryption.type (file or env)", path));
  }
  CheckDatabaseName(p.cloud_db, path);
  CheckDatabaseName(p.usage_db, path);
  return p;
}

}  // namespace usaged::store
