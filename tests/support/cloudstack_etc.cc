#include "support/cloudstack_etc.h"

#include <filesystem>
#include <fstream>

#include "store/mariadb/mariadb_params.h"
#include "support/test_env.h"

namespace usaged::testing {

CloudStackEtc::CloudStackEtc(const std::string& dir, const std::string& mariadb_url)
    : upper_(dir + "/etc-upper"), work_(dir + "/etc-work") {
  std::filesystem::create_directories(upper_ + "/cloudstack/usage");
  std::filesystem::create_directories(work_);
  auto p = store::ParseMariaDbUrl(mariadb_url);
  std::ofstream(upper_ + "/cloudstack/usage/db.properties")
      << "db.cloud.username=" << p.user << "\ndb.cloud.password=\ndb.cloud.host=" << p.host
      << "\ndb.cloud.port=" << p.port << "\ndb.cloud.name=" << p.cloud_db
      << "\ndb.usage.host=" << p.host << "\ndb.usage.port=" << p.port
      << "\ndb.usage.name=" << p.usage_db << "\ndb.usage.username=" << p.user
      << "\ndb.usage.password=\n";
}

std::string CloudStackEtc::MountLine() const {
  return "mount -t overlay overlay -o lowerdir=/etc,upperdir=" + upper_ + ",workdir=" + work_ +
         " /etc\n";
}

bool CloudStackEtc::Available() {
  return RunProgram(Program{"/usr/bin/unshare"}, {"-m", "true"}).exit_code == 0;
}

}  // namespace usaged::testing
