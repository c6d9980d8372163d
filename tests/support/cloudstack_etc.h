#pragma once

#include <string>

namespace usaged::testing {

// /etc as a CloudStack host has it, for commands run in a private mount
// namespace (`unshare -m`): an overlay over the real /etc whose upper layer
// holds cloudstack/usage/db.properties naming the databases of a MariaDB URL.
// Files put under upper() also appear in /etc there.
class CloudStackEtc {
 public:
  // Layers are made under `dir`.
  CloudStackEtc(const std::string& dir, const std::string& mariadb_url);
  const std::string& upper() const { return upper_; }
  // The sh line that mounts the overlay over /etc.
  std::string MountLine() const;
  // Whether this machine gives a process a private mount namespace.
  static bool Available();

 private:
  std::string upper_;
  std::string work_;
};

}  // namespace usaged::testing
