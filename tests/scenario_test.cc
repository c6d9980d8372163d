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

class ConformanceTest : public ::testing::TestWithParam<ScenarioCase> {};

TEST_P(ConformanceTest, RecordsMatch) {
  ScenarioFile file = ParseScenarioFile(GetParam().path);
  ScenarioRunner(file, GetParam().engine).Run();
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ConformanceTest, ::testing::ValuesIn(ScenarioCases()),
                         [](const auto& info) { return ScenarioCaseName(info.param); });

}  // namespace
}  // namespace usaged::testing
