#include "support/scenario_runner.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "ingest/quarantine.h"
#include "sim/cloud_writer.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

using Row = std::map<std::string, std::string>;

std::string Opt(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "NULL"; }
std::string Opt(const std::optional<std::string>& v) { return v ? *v : "NULL"; }

Row ToRow(const UsageRecord& r) {
  return {{"zone_id", std::to_string(r.zone_id)},
          {"account_id", std::to_string(r.account_id)},
          {"domain_id", std::to_string(r.domain_id)},
          {"description", r.description},
          {"usage_display", r.usage_display},
          {"usage_type", std::to_string(r.usage_type)},
          {"raw_usage", fmt::format("{}", r.raw_usage)},
          {"vm_instance_id", Opt(r.vm_instance_id)},
          {"vm_name", Opt(r.vm_name)},
          {"offering_id", Opt(r.offering_id)},
          {"template_id", Opt(r.template_id)},
          {"usage_id", Opt(r.usage_id)},
          {"type", Opt(r.type)},
          {"size", Opt(r.size)},
          {"network_id", Opt(r.network_id)},
          {"start_date", FormatUtc(r.start_date)},
          {"end_date", FormatUtc(r.end_date)},
          {"virtual_size", Opt(r.virtual_size)},
          {"cpu_speed", Opt(r.cpu_speed)},
          {"cpu_cores", Opt(r.cpu_cores)},
          {"memory", Opt(r.memory)},
          {"is_hidden", r.is_hidden ? "1" : "0"},
          {"state", Opt(r.state)}};
}

std::string RowText(const Row& row, const Row* only = nullptr) {
  std::string out;
  for (const auto& [k, v] : row) {
    if (only && !only->count(k)) continue;
    out += fmt::format(" {}=\"{}\"", k, v);
  }
  return out;
}

// Expected values may abbreviate: a date alone means midnight; raw_usage is
// compared as a number (exactly).
bool ValueMatches(const std::string& column, const std::string& expected,
                  const std::string& actual) {
  if (column == "raw_usage") {
    return std::strtod(expected.c_str(), nullptr) == std::strtod(actual.c_str(), nullptr);
  }
  if (column == "start_date" || column == "end_date") {
    auto t = TryParseUtc(expected);
    return t && FormatUtc(*t) == actual;
  }
  return expected == actual;
}

bool RowMatches(const Row& expected, const Row& actual) {
  for (const auto& [column, value] : expected) {
    auto it = actual.find(column);
    if (it == actual.end()) throw std::runtime_error("unknown column '" + column + "'");
    if (!ValueMatches(column, value, it->second)) return false;
  }
  return true;
}

}  // namespace

class ScenarioRunner::Impl {
 public:
  Impl(const ScenarioFile& file, const std::string& engine)
      : file_(file), db_(NewTestStore(engine)) {}

  TestStore& store() { return *db_; }

  void Run() {
    for (const auto& step : file_.steps) {
      SCOPED_TRACE(fmt::format("{}:{} ({})", file_.path, step.line, step.command));
      Execute(step);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

 private:
  std::string Field(const ScenarioStep& s, const std::string& key) {
    auto it = s.fields.find(key);
    if (it == s.fields.end()) throw std::runtime_error("missing " + key + "=");
    return it->second;
  }

  void Execute(const ScenarioStep& s) {
    auto& conn = *db_->conn;
    if (s.command == "config") {
      db_->SetConfig(s.args.at(0), s.args.at(1));
    } else if (s.command == "domain") {
      std::optional<int64_t> parent;
      if (s.args.size() > 2) parent = std::stoll(s.args[2]);
      conn.Run("INSERT INTO ${cloud}.domain (id, parent, name, uuid, owner, path) "
               "VALUES (?, ?, ?, ?, 2, ?)",
               std::stoll(s.args.at(0)), parent, s.args.at(1), "d-" + s.args[0],
               "/" + s.args[1] + "/");
    } else if (s.command == "account") {
      conn.Run("INSERT INTO ${cloud}.account (id, account_name, uuid, type, domain_id) "
               "VALUES (?, ?, ?, 0, ?)",
               std::stoll(s.args.at(0)), s.args.at(1), "a-" + s.args[0], std::stoll(s.args.at(2)));
    } else if (s.command == "remove_account") {
      conn.Run("UPDATE ${cloud}.account SET removed = ? WHERE id = ?", ParseUtc(s.args.at(1)),
               std::stoll(s.args.at(0)));
    } else if (s.command == "event") {
      AddEvent(s);
    } else if (s.command == "stat") {
      UpsertStat(s);
    } else if (s.command == "delete_stat") {
      conn.Run("DELETE FROM ${cloud}." + StatTable(s) + " WHERE id = ?", std::stoll(Field(s, "id")));
    } else if (s.command == "run") {
      auto summary = RunAt(conn, s.args.at(0));
      EXPECT_TRUE(summary.ok()) << "run " << s.args[0] << " had failed units";
    } else if (s.command == "expect") {
      Expect(s);
    } else if (s.command == "expect_full") {
      ExpectEveryColumnNamed(s);
      Expect(s);
    } else if (s.command == "expect_count") {
      size_t n = Matching(s.fields).size();
      EXPECT_EQ(n, std::stoul(s.args.at(0))) << "records matching" << RowText(s.fields);
    } else if (s.command == "expect_quarantined") {
      EXPECT_EQ(ingest::ListQuarantine(conn).size(), std::stoul(s.args.at(0)));
    }
  }

  void AddEvent(const ScenarioStep& s) {
    static const std::set<std::string> kInts = {"account", "zone", "resource_id", "offering_id",
                                                "template_id", "size", "virtual_size"};
    sim::EventSpec e;
    e.type = s.args.at(0);
    e.created = ParseUtc(Field(s, "created"));
    e.account_id = std::stoll(Field(s, "account"));
    for (const auto& [k, v] : s.fields) {
      if (k.rfind("detail.", 0) == 0) {
        e.details[k.substr(7)] = v;
        continue;
      }
      if (k == "created" || k == "account") continue;
      if (kInts.count(k)) {
        std::optional<int64_t> n;
        if (v != "NULL") n = std::stoll(v);
        if (k == "zone") e.zone_id = n.value_or(0);
        if (k == "resource_id") e.resource_id = n;
        if (k == "offering_id") e.offering_id = n;
        if (k == "template_id") e.template_id = n;
        if (k == "size") e.size = n;
        if (k == "virtual_size") e.virtual_size = n;
      } else if (k == "resource_name") {
        e.resource_name = v;
      } else if (k == "resource_type") {
        e.resource_type = v;
      } else {
        throw std::runtime_error("unknown event field '" + k + "'");
      }
    }
    sim::CloudWriter(*db_->conn).AddEvent(e);
  }

  static const std::string& StatTable(const ScenarioStep& s) {
    static const std::set<std::string> kTables = {"user_statistics", "vm_disk_statistics",
                                                  "bucket_statistics"};
    const std::string& table = s.args.at(0);
    if (!kTables.count(table)) throw std::runtime_error("unknown statistics table " + table);
    return table;
  }

  void UpsertStat(const ScenarioStep& s) {
    const std::string& table = StatTable(s);
    int64_t id = std::stoll(Field(s, "id"));
    auto& conn = *db_->conn;
    bool exists = conn.QueryInt("SELECT count(*) FROM ${cloud}." + table + " WHERE id = ?", id)
                      .value_or(0) > 0;
    std::vector<std::pair<std::string, std::string>> cols;
    for (const auto& [k, v] : s.fields) {
      if (k != "id") cols.emplace_back(k, v);
    }
    std::string sql;
    if (exists) {
      sql = "UPDATE ${cloud}." + table + " SET ";
      for (size_t i = 0; i < cols.size(); ++i) sql += (i ? ", " : "") + cols[i].first + " = ?";
      sql += " WHERE id = ?";
    } else {
      sql = "INSERT INTO ${cloud}." + table + " (id";
      for (const auto& c : cols) sql += ", " + c.first;
      sql += ") VALUES (?";
      for (size_t i = 0; i < cols.size(); ++i) sql += ", ?";
      sql += ")";
    }
    auto& st = conn.Prepare(sql);
    st.Reset();
    int p = 1;
    if (!exists) st.BindInt(p++, id);
    for (const auto& [k, v] : cols) {
      if (v == "NULL") {
        st.BindNull(p++);
      } else if (v.find_first_not_of("-0123456789") == std::string::npos) {
        st.BindInt(p++, std::stoll(v));
      } else {
        st.BindText(p++, v);
      }
    }
    if (exists) st.BindInt(p++, id);
    // Rows are written as given, even ones a foreign key would refuse: the
    // scenarios show what usaged does with statistics it cannot attribute.
    bool mariadb = conn.engine() == store::Engine::kMariaDb;
    if (mariadb) conn.Exec("SET foreign_key_checks = 0");
    st.Run();
    if (mariadb) conn.Exec("SET foreign_key_checks = 1");
  }

  std::vector<Row> Matching(const Row& filter) {
    std::vector<Row> out;
    for (const auto& r : ReadRecords(*db_->conn)) {
      Row row = ToRow(r);
      if (RowMatches(filter, row)) out.push_back(row);
    }
    return out;
  }

  // A full comparison names every column in each expected record (or in the
  // filter), so nothing a billing integration reads goes unchecked.
  void ExpectEveryColumnNamed(const ScenarioStep& s) {
    const Row all = ToRow(UsageRecord{});
    for (const auto& expected : s.rows) {
      std::string missing;
      for (const auto& [column, value] : all) {
        if (!expected.count(column) && !s.fields.count(column)) missing += " " + column;
      }
      if (!missing.empty()) {
        ADD_FAILURE() << "expect_full record" << RowText(expected) << " does not name:" << missing;
      }
    }
  }

  void Expect(const ScenarioStep& s) {
    std::vector<Row> actual = Matching(s.fields);
    std::vector<bool> used(actual.size(), false);
    std::string problems;
    for (const auto& expected : s.rows) {
      bool found = false;
      for (size_t i = 0; i < actual.size() && !found; ++i) {
        if (!used[i] && RowMatches(expected, actual[i])) used[i] = found = true;
      }
      if (!found) problems += "\n  missing:" + RowText(expected);
    }
    for (size_t i = 0; i < actual.size(); ++i) {
      if (!used[i]) problems += "\n  unexpected:" + RowText(actual[i]);
    }
    if (!problems.empty()) {
      std::string all;
      for (const auto& r : actual) all += "\n  " + RowText(r);
      ADD_FAILURE() << "records matching" << RowText(s.fields) << " differ:" << problems
                    << "\nactual records:" << all;
    }
  }

  const ScenarioFile& file_;
  std::unique_ptr<TestStore> db_;
};


void PrintTo(const ScenarioCase& c, std::ostream* out) { *out << c.path << " on " << c.engine; }

std::vector<ScenarioCase> ScenarioCases(const std::string& prefix) {
  std::vector<ScenarioCase> cases;
  for (const auto& path : ListScenarioFiles(std::string(USAGED_SOURCE_DIR) + "/tests/scenarios")) {
    if (std::filesystem::path(path).filename().string().rfind(prefix, 0) != 0) continue;
    for (const auto& engine : TestEngines()) cases.push_back({engine, path});
  }
  return cases;
}

std::string ScenarioCaseName(const ScenarioCase& c) {
  auto relative =
      std::filesystem::relative(c.path, std::string(USAGED_SOURCE_DIR) + "/tests/scenarios");
  std::string name = relative.replace_extension().string() + "_" + c.engine;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

std::map<std::string, std::string> ScenarioRow(const UsageRecord& record) {
  return ToRow(record);
}

ScenarioRunner::ScenarioRunner(const ScenarioFile& file, const std::string& engine)
    : impl_(std::make_unique<Impl>(file, engine)) {}
ScenarioRunner::~ScenarioRunner() = default;
void ScenarioRunner::Run() { impl_->Run(); }
TestStore& ScenarioRunner::store() { return impl_->store(); }

}  // namespace usaged::testing
