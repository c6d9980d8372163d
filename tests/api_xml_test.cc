// XML responses are well-formed whatever text is stored: control characters,
// noncharacters and bytes that are not UTF-8 in a record's description or
// name are replaced, and a real XML parser (python3's xml.etree, the standard
// library's expat binding) reads the response.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "support/api_harness.h"

namespace usaged::testing {
namespace {

// python3 parses the XML file and prints the description and name of every
// usagerecord as JSON, or the parser's error.
constexpr const char* kParse =
    "import json, sys, xml.etree.ElementTree as E\n"
    "root = E.parse(sys.argv[1]).getroot()\n"
    "print(json.dumps([[r.findtext('description'), r.findtext('name')]\n"
    "                  for r in root.iter('usagerecord')]))\n";

struct Parsed {
  int status = -1;
  std::string output;
};

Parsed ParseWithPython(const std::string& xml) {
  TempDir dir;
  std::ofstream(dir.path() + "/response.xml", std::ios::binary) << xml;
  std::ofstream(dir.path() + "/parse.py") << kParse;
  Parsed p;
  FILE* pipe = popen(fmt::format("/usr/bin/python3 {0}/parse.py {0}/response.xml 2>&1",
                                 dir.path()).c_str(), "r");
  if (!pipe) return p;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) p.output.append(buf, n);
  p.status = pclose(pipe);
  return p;
}

class ApiXmlTest : public ::testing::TestWithParam<std::string> {
 protected:
  ApiXmlTest() : api_(GetParam()) {}
  ApiHarness api_;
};

TEST_P(ApiXmlTest, ForbiddenCharactersInStoredTextAreReplaced) {
  store::Connection& conn = *api_.store().conn;
  // C0 controls (ESC starting a terminal colour, vertical tab), U+FFFE and
  // U+FFFF beside text that is allowed and must stay (tab, markup, é).
  std::string stored = "a\x01" "b\x1b[31m" "c\x0b" "d\xef\xbf\xbe" "e\xef\xbf\xbf" "f\t<&>"
                       "\xc3\xa9";
  std::string expected = "a\ufffd" "b\ufffd[31m" "c\ufffd" "d\ufffd" "e\ufffd" "f\t<&>"
                         "\xc3\xa9";
  if (GetParam() == "sqlite") {
    // A character beyond the BMP (𝄞), which stays, and bytes that are not
    // UTF-8 (a stray byte, an encoded lone surrogate, a truncated sequence):
    // SQLite stores them as given; CloudStack's MariaDB columns (utf8, three
    // bytes at most) refuse them.
    stored += "\xf0\x9d\x84\x9e" "\xff" "g\xed\xa0\x80" "h\xc3";
    expected += "\xf0\x9d\x84\x9e" "\ufffd" "g\ufffd\ufffd\ufffd" "h\ufffd";
  }
  const int64_t id = QueryCount(conn, "SELECT min(id) FROM ${usage}.cloud_usage WHERE "
                                      "vm_name IS NOT NULL");
  conn.Run("UPDATE ${usage}.cloud_usage SET description = ?, vm_name = ? WHERE id = ?", stored,
           stored, id);

  auto res = api_.Get(api_.Signed("root", {{"command", "listUsageRecords"},
                                           {"startdate", "2026-01-01"},
                                           {"enddate", "2026-01-02"},
                                           {"response", "xml"}}));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  Parsed parsed = ParseWithPython(res->body);
  ASSERT_EQ(parsed.status, 0) << parsed.output << "\n" << res->body;
  auto records = nlohmann::json::parse(parsed.output);
  int found = 0;
  for (const auto& r : records) {
    if (r[0] != expected) continue;
    ++found;
    EXPECT_EQ(r[1], expected);
  }
  EXPECT_EQ(found, 1) << parsed.output;
}

INSTANTIATE_TEST_SUITE_P(Engines, ApiXmlTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
