#include "store/mariadb/mariadb_params.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace usaged::store {
namespace {

TEST(MariaDbUrlTest, ABracketedIpv6HostIsTheAddressWithItsPort) {
  MariaDbParams p = ParseMariaDbUrl("mariadb://usage:pw@[::1]:3307/?cloud=c1&usage=u1");
  EXPECT_EQ(p.host, "::1");
  EXPECT_EQ(p.port, 3307);
  EXPECT_EQ(p.user, "usage");
  EXPECT_EQ(p.password, "pw");
  EXPECT_EQ(p.cloud_db, "c1");
  EXPECT_EQ(p.usage_db, "u1");
  EXPECT_EQ(p.Describe(), "mariadb://usage@[::1]:3307 (c1, u1)");

  MariaDbParams no_port = ParseMariaDbUrl("mariadb://root@[2001:db8::17]/");
  EXPECT_EQ(no_port.host, "2001:db8::17");
  EXPECT_EQ(no_port.port, 3306);
  EXPECT_EQ(no_port.Describe(), "mariadb://root@[2001:db8::17]:3306 (cloud, cloud_usage)");

  // Names and IPv4 addresses as before.
  MariaDbParams v4 = ParseMariaDbUrl("mariadb://root@127.0.0.1:27889");
  EXPECT_EQ(v4.host, "127.0.0.1");
  EXPECT_EQ(v4.port, 27889);
  EXPECT_EQ(ParseMariaDbUrl("mariadb://root@db.example.com").host, "db.example.com");
}

TEST(MariaDbUrlTest, AMalformedIpv6HostIsRefused) {
  for (const char* url : {"mariadb://root@[::1:3306", "mariadb://root@[::1]3306",
                          "mariadb://root@[::1]:", "mariadb://root@[::1]:99999",
                          "mariadb://root@[db.example.com]:3306", "mariadb://root@[]:3306",
                          "mariadb://root@::1:3306"}) {
    EXPECT_THROW(ParseMariaDbUrl(url), InputError) << url;
  }
  try {
    ParseMariaDbUrl("mariadb://root@::1:3306");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("an IPv6 host goes in brackets"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace usaged::store
