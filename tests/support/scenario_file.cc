#include "support/scenario_file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace usaged::testing {
namespace {

std::vector<std::string> Tokenize(const std::string& line, const std::string& where) {
  std::vector<std::string> out;
  std::string current;
  bool in_quotes = false, have = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (in_quotes) {
      if (c == '\\' && i + 1 < line.size()) {
        current += line[++i];
      } else if (c == '"') {
        in_quotes = false;
      } else {
        current += c;
      }
    } else if (c == '"') {
      in_quotes = have = true;
    } else if (c == '#') {
      break;
    } else if (c == ' ' || c == '\t') {
      if (have) out.push_back(current);
      current.clear();
      have = false;
    } else {
      current += c;
      have = true;
    }
  }
  if (in_quotes) throw std::runtime_error(where + ": unterminated quote");
  if (have) out.push_back(current);
  return out;
}

void SplitWords(const std::vector<std::string>& words, size_t from, ScenarioStep& step) {
  for (size_t i = from; i < words.size(); ++i) {
    auto eq = words[i].find('=');
    if (eq == std::string::npos) {
      step.args.push_back(words[i]);
    } else {
      step.fields[words[i].substr(0, eq)] = words[i].substr(eq + 1);
    }
  }
}

}  // namespace

ScenarioFile ParseScenarioFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  ScenarioFile file;
  file.path = path;
  file.name = std::filesystem::path(path).stem().string();
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string where = path + ":" + std::to_string(number);
    if (line.rfind("# name:", 0) == 0) {
      file.name = line.substr(7);
      file.name.erase(0, file.name.find_first_not_of(' '));
      continue;
    }
    bool indented = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    auto words = Tokenize(line, where);
    if (words.empty()) continue;
    if (indented) {
      if (file.steps.empty() || (file.steps.back().command != "expect" &&
                                  file.steps.back().command != "expect_full")) {
        throw std::runtime_error(where + ": an indented record line must follow `expect`");
      }
      ScenarioStep row;
      SplitWords(words, 0, row);
      if (!row.args.empty()) throw std::runtime_error(where + ": expected column=value words");
      file.steps.back().rows.push_back(row.fields);
      continue;
    }
    ScenarioStep step;
    step.command = words[0];
    step.line = number;
    static const std::vector<std::string> kCommands = {
        "config", "domain", "account", "remove_account", "event", "stat", "delete_stat",
        "run",    "expect", "expect_full", "expect_count", "expect_quarantined"};
    if (std::find(kCommands.begin(), kCommands.end(), step.command) == kCommands.end()) {
      throw std::runtime_error(where + ": unknown statement '" + step.command + "'");
    }
    SplitWords(words, 1, step);
    file.steps.push_back(std::move(step));
  }
  return file;
}

std::vector<std::string> ListScenarioFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() == ".scenario") out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace usaged::testing
