#pragma once

#include <string>
#include <string_view>

namespace usaged::store {

// Where and how to reach MariaDB. The password is never part of Describe().
struct MariaDbParams {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string user = "cloud";
  std::string password;
  std::string socket;  // a Unix socket instead of TCP when set
  std::string cloud_db = "cloud";
  std::string usage_db = "cloud_usage";
  int connect_timeout_s = 10;
  int read_timeout_s = 3600;
  // CloudStack's database secret (db.cloud.encrypt.secret of an encrypted
  // db.properties), which opens the values CloudStack encrypts in its tables.
  std::string cloudstack_db_secret;

  // "mariadb://user@host:port (cloud, cloud_usage)"
  std::string Describe() const;
};

// Parses "mariadb://USER[:PASS]@HOST[:PORT][/?key=value&...]" with optional
// keys cloud=DB, usage=DB, socket=PATH, connect_timeout=S. USER and PASS may be
// percent-encoded. An IPv6 HOST is written in brackets ([::1], [::1]:3306)
// and kept without them. Throws InputError naming the problem (without the password).
MariaDbParams ParseMariaDbUrl(std::string_view url);

// Reads the Java usage server's db.properties (db.cloud.host, db.cloud.port,
// db.cloud.username, db.cloud.password, db.cloud.name, db.usage.host, ...,
// db.usage.name). usaged needs both databases on one server; a file that puts
// them on different servers is refused. ENC(...) values are decrypted with
// CloudStack's secret key (see cloudstack_encryption.h; `key_file` overrides
// where it is looked for). Throws InputError.
MariaDbParams ReadDbProperties(const std::string& path, const std::string& key_file = "");

}  // namespace usaged::store
