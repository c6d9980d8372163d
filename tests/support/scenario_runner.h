#pragma once

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/usage_record.h"
#include "support/scenario_file.h"
#include "support/test_env.h"

namespace usaged::testing {

// Runs a conformance scenario (support/scenario_file.h) on a fresh test store
// of one engine: applies its input, runs the job at each `run` and checks each
// expectation with GoogleTest assertions.
class ScenarioRunner {
 public:
  ScenarioRunner(const ScenarioFile& file, const std::string& engine);
  ~ScenarioRunner();
  // Every step in order; stops at a fatal failure.
  void Run();
  // The store the scenario ran on.
  TestStore& store();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// One scenario file on one engine, a parameter of the scenario suites.
struct ScenarioCase {
  std::string engine;
  std::string path;
};
// Names the case in test output (instead of gtest's byte dump).
void PrintTo(const ScenarioCase& c, std::ostream* out);

// Every scenario file below tests/scenarios whose name starts with `prefix`,
// on every test engine.
std::vector<ScenarioCase> ScenarioCases(const std::string& prefix = "");

// The test name of a case: the file's path below tests/scenarios and the
// engine, e.g. "vm_lifetime_sqlite".
std::string ScenarioCaseName(const ScenarioCase& c);

// A record as the scenarios name its columns ("NULL" for NULL, dates
// "YYYY-MM-DD HH:MM:SS").
std::map<std::string, std::string> ScenarioRow(const UsageRecord& record);

}  // namespace usaged::testing
