#include "store/mariadb/java_properties.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace usaged::store {
namespace {

TEST(JavaPropertiesTest, ReadsLikeJavaUtilProperties) {
  auto props = ParseJavaProperties(
      "# comment\n"
      "! another comment\n"
      "db.cloud.host = db.example.com\r\n"
      "db.cloud.port:3306\n"
      "db.cloud.username cloud\n"
      "db.cloud.password=p\\=ss\\:w\\\\rd\\u00e9\n"
      "db.cloud.url.params=a=1&\\\n"
      "    b=2\n"
      "   db.usage.name   =   cloud_usage  \n"
      "empty=\n"
      "key\\ with\\ spaces=v\n"
      "db.cloud.host=later.example.com\n");
  EXPECT_EQ(props["db.cloud.host"], "later.example.com");
  EXPECT_EQ(props["db.cloud.port"], "3306");
  EXPECT_EQ(props["db.cloud.username"], "cloud");
  EXPECT_EQ(props["db.cloud.password"], "p=ss:w\\rd\xc3\xa9");
  EXPECT_EQ(props["db.cloud.url.params"], "a=1&b=2");
  EXPECT_EQ(props["db.usage.name"], "cloud_usage  ");
  EXPECT_EQ(props["empty"], "");
  EXPECT_EQ(props["key with spaces"], "v");
  EXPECT_EQ(props.count("# comment"), 0u);
}

TEST(JavaPropertiesTest, ABadUnicodeEscapeIsAnError) {
  EXPECT_THROW(ParseJavaProperties("a=\\u12x4\n"), InputError);
  EXPECT_THROW(ReadJavaProperties("/nonexistent/db.properties"), InputError);
}

}  // namespace
}  // namespace usaged::store
