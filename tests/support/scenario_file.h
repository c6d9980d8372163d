#pragma once

#include <map>
#include <string>
#include <vector>

namespace usaged::testing {

// One step of a conformance scenario (tests/scenarios/*.scenario).
struct ScenarioStep {
  std::string command;  // config, domain, account, remove_account, event, stat, delete_stat, run,
                        // expect, expect_full, expect_count, expect_quarantined
  std::vector<std::string> args;                      // positional words
  std::map<std::string, std::string> fields;          // key=value words
  std::vector<std::map<std::string, std::string>> rows;  // expected rows (expect)
  int line = 0;
};

struct ScenarioFile {
  std::string path;
  std::string name;  // from "# name:" or the file name
  std::vector<ScenarioStep> steps;
};

// Parses a scenario file. Format, one statement per line ('#' starts a
// comment, values with spaces are double-quoted):
//   config KEY VALUE
//   domain ID NAME [PARENT_ID]
//   account ID NAME DOMAIN_ID
//   remove_account ID "TIME"
//   event TYPE created="TIME" account=ID [zone=ID] [resource_id=..] [resource_name=..]
//         [offering_id=..] [template_id=..] [size=..] [resource_type=..] [virtual_size=..]
//         [detail.NAME=VALUE ...]
//   stat TABLE id=ID column=value ...     (insert or update a cloud statistics row)
//   delete_stat TABLE id=ID              (delete a cloud statistics row)
//   run "NOW"                            (usaged run --once --now NOW)
//   expect [column=value ...]            (filter; the following indented lines are
//     column=value ...                    the exact set of matching records, each
//     ...                                 compared on the columns it names)
//   expect_full [column=value ...]        (as expect, and every expected record,
//     column=value ...                    with the filter, names every column of
//                                         cloud_usage but id, usage_key and
//                                         quota_calculated: a full comparison)
//   expect_count N [column=value ...]
//   expect_quarantined N
// Throws std::runtime_error naming the file and line on a syntax error.
ScenarioFile ParseScenarioFile(const std::string& path);

// Every *.scenario file below `dir`, sorted.
std::vector<std::string> ListScenarioFiles(const std::string& dir);

}  // namespace usaged::testing
