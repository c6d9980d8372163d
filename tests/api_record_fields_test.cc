// listUsageRecords returns every column a record's type is keyed by
// (parse::KeyFields), in JSON and XML: records with different natural keys
// never look alike in the response.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <regex>
#include <set>

#include "api/command.h"
#include "job/unit_rebuild.h"
#include "parse/record_key.h"
#include "sim/random_cloud.h"
#include "support/api_harness.h"

namespace usaged::testing {
namespace {

// The response field that carries each cloud_usage column.
const std::map<std::string_view, std::string> kResponseField = {
    {"zone_id", "zoneid"},          {"description", "description"},
    {"vm_instance_id", "virtualmachineid"}, {"vm_name", "name"},
    {"offering_id", "offeringid"},  {"template_id", "templateid"},
    {"usage_id", "usageid"},        {"type", "type"},
    {"size", "size"},               {"network_id", "networkid"},
    {"virtual_size", "virtualsize"}, {"cpu_cores", "cpunumber"},
    {"cpu_speed", "cpuspeed"},      {"memory", "memory"},
    {"state", "state"}};

// One listed record: its fields as text (a missing field is absent).
using Item = std::map<std::string, std::string>;

// A record's start date and key fields, as "startdate|field=value|...", with
// "null" for a key column without a value.
std::string KeyLine(int type, const std::string& start, const std::function<std::string(
                                                                const std::string&)>& value) {
  std::string line = start;
  for (const parse::KeyField& f : parse::KeyFields(type)) {
    const std::string& field = kResponseField.at(f.column);
    line += fmt::format("|{}={}", field, value(field));
  }
  return line;
}

std::string XmlText(std::string s) {
  for (const auto& [entity, c] : std::vector<std::pair<std::string, std::string>>{
           {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}}) {
    for (size_t at = s.find(entity); at != std::string::npos; at = s.find(entity, at + 1)) {
      s.replace(at, entity.size(), c);
    }
  }
  return s;
}

class ApiRecordFieldsTest : public ::testing::TestWithParam<std::string> {
 protected:
  ApiRecordFieldsTest() : api_(GetParam()) {}

  // The records of `type` listed from 2026-01-03 to 2026-01-05, in `format`.
  std::vector<Item> List(int type, const std::string& format) {
    auto res = api_.Get(api_.Signed("root", {{"command", "listUsageRecords"},
                                             {"startdate", "2026-01-03"},
                                             {"enddate", "2026-01-05"},
                                             {"type", std::to_string(type)},
                                             {"pagesize", "-1"},
                                             {"response", format}}));
    EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
    std::vector<Item> items;
    if (!res) return items;
    if (format == "json") {
      auto body = nlohmann::ordered_json::parse(res->body)["listusagerecordsresponse"];
      for (const auto& record : body.value("usagerecord", nlohmann::ordered_json::array())) {
        Item item;
        for (const auto& [k, v] : record.items()) {
          item[k] = v.is_string() ? v.get<std::string>() : v.dump();
        }
        items.push_back(std::move(item));
      }
      return items;
    }
    static const std::regex record("<usagerecord>(.*?)</usagerecord>");
    static const std::regex field("<([a-z]+)>([^<]*)</\\1>");
    for (std::sregex_iterator r(res->body.begin(), res->body.end(), record), end; r != end; ++r) {
      Item item;
      const std::string inner = (*r)[1];
      for (std::sregex_iterator f(inner.begin(), inner.end(), field); f != end; ++f) {
        item[(*f)[1]] = XmlText((*f)[2]);
      }
      items.push_back(std::move(item));
    }
    return items;
  }

  ApiHarness api_;
};

TEST_P(ApiRecordFieldsTest, EveryTypeListsItsNaturalKeyColumns) {
  // A cloud in which every usage type occurs, beside the harness's own,
  // billed for 2026-01-03 to 2026-01-05.
  sim::RandomCloudSpec spec;
  spec.seed = 3;
  spec.accounts = 3;
  spec.vms_per_account = 2;
  spec.days = 3;
  spec.start = ParseUtc("2026-01-03 00:00:00");
  spec.every_usage_type = true;
  spec.parent_domain = api_.domain("ROOT");
  store::Connection& conn = *api_.store().conn;
  sim::WriteRandomCloud(conn, spec);
  for (int day = 1; day <= spec.days; ++day) {
    sim::WriteRandomStatistics(conn, spec, day);
    const Instant now = spec.start + std::chrono::hours(24 * day) + std::chrono::minutes(10);
    ASSERT_EQ(RunAt(conn, FormatUtc(now)).units_failed, 0) << "day " << day;
  }

  std::map<int, std::multiset<std::string>> stored;
  for (const UsageRecord& r : ReadRecords(conn)) {
    if (r.start_date < spec.start) continue;
    stored[r.usage_type].insert(
        KeyLine(r.usage_type, api::ApiDate(r.start_date), [&](const std::string& field) {
          for (const auto& [column, name] : kResponseField) {
            if (name == field) return parse::KeyFieldValue(r, column);
          }
          return std::string("?");
        }));
  }
  for (int type : job::ParsedUsageTypes()) {
    ASSERT_FALSE(stored[type].empty()) << "no record of type " << type;
    for (const std::string format : {"json", "xml"}) {
      std::multiset<std::string> listed;
      for (const Item& item : List(type, format)) {
        listed.insert(KeyLine(type, item.at("startdate"), [&](const std::string& field) {
          auto it = item.find(field);
          return it == item.end() ? std::string("null") : it->second;
        }));
      }
      EXPECT_EQ(listed, stored[type]) << "type " << type << ", " << format;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, ApiRecordFieldsTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
