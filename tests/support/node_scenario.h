#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/test_env.h"

namespace usaged::testing {

// The scenario of the tests of several usaged nodes sharing one database
// (tests/cluster_test.cc on one MariaDB server, tests/galera_test.cc on a
// Galera cluster): a random cloud billed day by day by `run --once` processes.

// Writes a random cloud of `days` simulated days into `db`, billed in six
// account shards per window.
void WriteNodeScenarioCloud(TestStore& db, int days);

// The --now of the daily run on day `day` after the cloud's start.
std::string DayNow(int day);

// `usaged --db URL run --once --now NOW`.
std::vector<std::string> RunArgs(const std::string& url, const std::string& now);

bool Contains(const std::string& text, const std::string& part);

// Runs each day's job of `days` days with a single process.
void RunDailyAlone(const std::string& url, int days);

// Runs each day's job of `days` days with one process per URL in `node_urls`
// (the same databases, possibly through different servers of a cluster),
// SIGKILLing a random one of them `kills` times over the days at random
// moments and starting it again. Fails the test if a process that was not
// killed ends badly; returns the number of kills that hit a running process.
int RunDailyKillingNodes(const std::vector<std::string>& node_urls, int days, int kills,
                         uint32_t seed);

// Expects the nodes' databases (`shared`, after RunDailyKillingNodes) to hold
// exactly the records of `reference_url`, with no duplicate, every unit of
// the `days` windows done once, one logical job per range, and units done by
// several node registrations.
void ExpectNodesBilledLikeReference(TestStore& shared, const std::string& reference_url,
                                    int days);

// The fencing scenario: a node on `paused_url` is stopped (SIGSTOP) right
// after parsing its first unit, past its one-second lease; a node on
// `other_url` takes the unit over and finishes the job; the resumed node's
// commit is refused. `shared` holds a 3-day cloud, `reference_url` the same
// cloud billed by one process.
void ExpectPausedNodeCannotCommit(TestStore& shared, const std::string& paused_url,
                                  const std::string& other_url, const std::string& reference_url);

}  // namespace usaged::testing
