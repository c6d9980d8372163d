// Conformance scenarios: data files (tests/scenarios/*.scenario) that give a
// cloud's configuration and events, one or more `run --once --now` steps and
// the exact cloud_usage records expected. Each runs on every engine.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

#include "support/scenario_file.h"
#include "support/scenario_runner.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

struct ScenarioCase {
  std::string engine;
  std::string path;
};

// Names the case in test output (instead of gtest's byte dump).
void PrintTo(const ScenarioCase& c, std::ostream* out) { *out << c.path << " on " << c.engine; }

std::vector<ScenarioCase> AllCases() {
  std::vector<ScenarioCase> cases;
  for (const auto& path : ListScenarioFiles(std::string(USAGED_SOURCE_DIR) + "/tests/scenarios")) {
    for (const auto& engine : TestEngines()) cases.push_back({engine, path});
  }
  return cases;
}

class ConformanceTest : public ::testing::TestWithParam<ScenarioCase> {};

TEST_P(ConformanceTest, RecordsMatch) {
  ScenarioFile file = ParseScenarioFile(GetParam().path);
  ScenarioRunner(file, GetParam().engine).Run();
}

std::string CaseName(const ::testing::TestParamInfo<ScenarioCase>& info) {
  auto relative = std::filesystem::relative(
      info.param.path, std::string(USAGED_SOURCE_DIR) + "/tests/scenarios");
  std::string name = relative.replace_extension().string() + "_" + info.param.engine;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ConformanceTest, ::testing::ValuesIn(AllCases()), CaseName);

}  // namespace
}  // namespace usaged::testing
