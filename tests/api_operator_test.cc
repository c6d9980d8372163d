// Who may rewrite billing records through the API (generateUsageRecords,
// regenerateUsageRecords, removeRawUsageRecords: root and domain admins, a
// domain admin only within its domain subtree; users only read), and how a
// caller is refused: 401 for a command its role may not call, 531 for an
// account, domain or job outside its scope, the same answer as for one that
// does not exist.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "support/api_harness.h"

namespace usaged::testing {
namespace {

// The cloud of ApiHarness: ROOT ── Acme ── Research, ROOT ── Globex; dana is
// the domain admin of Acme, alice a user in Acme, bob in Research, carol in
// Globex. Each user has 4 records (2 days x running + allocated).
class ApiOperatorTest : public ::testing::TestWithParam<std::string> {
 protected:
  ApiOperatorTest() : api_(GetParam()) {}

  struct Answer {
    int status = 0;
    nlohmann::ordered_json body;  // the response object under "<command>response"
  };
  Answer Call(const std::string& who, const api::Params& params) {
    Answer a;
    auto body = api_.Json(who, params, &a.status);
    a.body = body.begin().value();
    return a;
  }
  // Submits an asynchronous command; its job id.
  std::string Submit(const std::string& who, const api::Params& params) {
    Answer accepted = Call(who, params);
    EXPECT_EQ(accepted.status, 200) << accepted.body.dump();
    return accepted.body.value("jobid", "");
  }
  // Submits an asynchronous command and waits for its job; the job result.
  nlohmann::ordered_json RunJob(const std::string& who, const api::Params& params) {
    auto done = api_.WaitForJob(who, Submit(who, params));
    auto job = done["queryasyncjobresultresponse"];
    EXPECT_EQ(job["jobstatus"], 1) << job.dump();
    return job["jobresult"];
  }
  int64_t Records(const std::string& who) {
    return QueryCount(*api_.store().conn,
                      fmt::format("SELECT count(*) FROM ${{usage}}.cloud_usage WHERE account_id "
                                  "= {}", api_.account(who)));
  }
  // Deletes `who`'s records of 2026-01-01 (2 of its 4), behind the API's back.
  void LoseFirstDay(const std::string& who) {
    api_.store().conn->Run("DELETE FROM ${usage}.cloud_usage WHERE account_id = ? AND "
                           "start_date < ?",
                           api_.account(who), ParseUtc("2026-01-02 00:00:00"));
    ASSERT_EQ(Records(who), 2);
  }
  int64_t Jobs(const std::string& kind) {
    return QueryCount(*api_.store().conn,
                      "SELECT count(*) FROM ${usage}.usaged_job WHERE kind = '" + kind + "'");
  }
  static api::Params With(api::Params p, const std::string& k, const std::string& v) {
    p.emplace_back(k, v);
    return p;
  }
  void ExpectNotForRole(const std::string& who, const api::Params& params) {
    Answer a = Call(who, params);
    EXPECT_EQ(a.status, 401) << who << ": " << a.body.dump();
    EXPECT_EQ(a.body["errortext"],
              fmt::format("The given command '{}' either does not exist, is not available for "
                          "user.", params.front().second));
  }
  void ExpectOutOfScope(const std::string& who, const api::Params& params) {
    Answer a = Call(who, params);
    EXPECT_EQ(a.status, 531) << who << ": " << a.body.dump();
    EXPECT_EQ(a.body["cserrorcode"], 4365) << a.body.dump();
  }

  ApiHarness api_;
};

const api::Params kRegenerate = {{"command", "regenerateUsageRecords"},
                                 {"startdate", "2026-01-01"},
                                 {"enddate", "2026-01-02"},
                                 {"reason", "customer dispute"}};
const api::Params kGenerate = {{"command", "generateUsageRecords"},
                               {"startdate", "2026-01-01"},
                               {"enddate", "2026-01-02"}};
const api::Params kRemove = {{"command", "removeRawUsageRecords"}, {"interval", "1"}};

TEST_P(ApiOperatorTest, RegenerateIsForRootAndDomainAdminsWithinTheirSubtree) {
  // A user may not call it, not even for its own account.
  ExpectNotForRole("alice", kRegenerate);
  ExpectNotForRole("alice", With(kRegenerate, "accountid", "acct-alice"));
  // A domain admin outside its subtree: another domain, an account there, the
  // domain above its own.
  ExpectOutOfScope("dana", With(kRegenerate, "domainid", "dom-Globex"));
  ExpectOutOfScope("dana", With(kRegenerate, "domainid", "dom-ROOT"));
  ExpectOutOfScope("dana", With(kRegenerate, "accountid", "acct-carol"));
  EXPECT_EQ(Jobs("REGENERATE"), 0);
  // Inside it: an account of a sub-domain, a sub-domain, its own domain.
  EXPECT_EQ(RunJob("dana", With(kRegenerate, "accountid", "acct-bob"))["records"], 4);
  EXPECT_EQ(RunJob("dana", With(kRegenerate, "domainid", "dom-Research"))["records"], 4);
  EXPECT_EQ(RunJob("dana", kRegenerate)["records"], 8);  // alice and bob
  // The root admin: everything.
  EXPECT_EQ(RunJob("root", kRegenerate)["records"], 12);
  EXPECT_EQ(Jobs("REGENERATE"), 4);
  for (const char* who : {"alice", "bob", "carol"}) EXPECT_EQ(Records(who), 4) << who;
}

TEST_P(ApiOperatorTest, GenerateIsForRootAndDomainAdminsWithinTheirSubtree) {
  for (const char* who : {"alice", "bob", "carol"}) LoseFirstDay(who);
  ExpectNotForRole("alice", kGenerate);
  ExpectNotForRole("bob", With(kGenerate, "domainid", "dom-Research"));
  ExpectOutOfScope("dana", With(kGenerate, "domainid", "dom-Globex"));
  ExpectOutOfScope("dana", With(kGenerate, "domainid", "dom-ROOT"));
  for (const char* who : {"alice", "bob", "carol"}) EXPECT_EQ(Records(who), 2) << who;
  // A domain admin fills in the missing records of its subtree only: a
  // sub-domain, then its own domain (and below).
  EXPECT_EQ(RunJob("dana", With(kGenerate, "domainid", "dom-Research"))["records"], 2);
  EXPECT_EQ(Records("bob"), 4);
  EXPECT_EQ(Records("alice"), 2);
  EXPECT_EQ(RunJob("dana", kGenerate)["records"], 2);
  EXPECT_EQ(Records("alice"), 4);
  EXPECT_EQ(Records("carol"), 2);
  // An unbilled range is refused at once, as for regenerate.
  EXPECT_EQ(Call("dana", {{"command", "generateUsageRecords"}, {"startdate", "2026-01-02"},
                          {"enddate", "2026-01-05"}})
                .status,
            431);
  // The root admin bills every due window, as CloudStack's command does.
  EXPECT_EQ(RunJob("root", kGenerate)["success"], true);
}

TEST_P(ApiOperatorTest, RemoveRawIsForRootAndDomainAdminsWithinTheirSubtree) {
  ExpectNotForRole("alice", kRemove);
  ExpectNotForRole("carol", With(kRemove, "domainid", "dom-Globex"));
  ExpectOutOfScope("dana", With(kRemove, "domainid", "dom-Globex"));
  ExpectOutOfScope("dana", With(kRemove, "domainid", "dom-ROOT"));
  for (const char* who : {"alice", "bob", "carol"}) EXPECT_EQ(Records(who), 4) << who;
  // interval 1 at 2026-01-03 01:00: the records of 2026-01-01 are old enough.
  // dana: a sub-domain's, then its subtree's; carol's stay.
  auto removed = Call("dana", With(kRemove, "domainid", "dom-Research"));
  EXPECT_EQ(removed.status, 200) << removed.body.dump();
  EXPECT_EQ(Records("bob"), 2);
  EXPECT_EQ(Records("alice"), 4);
  EXPECT_EQ(Call("dana", kRemove).status, 200);
  EXPECT_EQ(Records("alice"), 2);
  EXPECT_EQ(Records("carol"), 4);
  // root: everything.
  EXPECT_EQ(Call("root", kRemove).status, 200);
  for (const char* who : {"alice", "bob", "carol"}) EXPECT_EQ(Records(who), 2) << who;
}

TEST_P(ApiOperatorTest, ListApisShowsTheOperatorCommandsToOperatorsOnly) {
  auto names = [&](const std::string& who) {
    std::set<std::string> out;
    Answer listed = Call(who, {{"command", "listApis"}});
    for (const auto& a : listed.body["api"]) out.insert(a["name"].get<std::string>());
    EXPECT_TRUE(out.count("listUsageRecords")) << who;
    return out;
  };
  for (const char* command :
       {"generateUsageRecords", "regenerateUsageRecords", "removeRawUsageRecords"}) {
    EXPECT_TRUE(names("root").count(command)) << command;
    EXPECT_TRUE(names("dana").count(command)) << command;
    EXPECT_FALSE(names("alice").count(command)) << command;
  }
}

// The refusal for a missing account, domain or job is the one for an
// existing one outside the caller's scope (the value sent stands in the
// text), so that no caller can tell which exist.
TEST_P(ApiOperatorTest, MissingAndOutOfScopeIdsGetTheSameAnswer) {
  const api::Params list = {{"command", "listUsageRecords"}, {"startdate", "2026-01-01"},
                            {"enddate", "2026-01-02"}};
  // The answer for `present` (exists, out of scope) and for `absent` (does
  // not exist) are the same but for the value sent.
  auto same = [&](const std::string& who, const api::Params& base, const std::string& name,
                  const std::string& present, const std::string& absent) {
    Answer a = Call(who, With(base, name, present));
    Answer b = Call(who, With(base, name, absent));
    EXPECT_EQ(a.status, 531) << who << " " << name << "=" << present << ": " << a.body.dump();
    EXPECT_EQ(b.status, a.status) << who << " " << name << "=" << absent << ": " << b.body.dump();
    EXPECT_EQ(b.body["cserrorcode"], a.body["cserrorcode"]);
    std::string text = a.body.value("errortext", "");
    auto at = text.find(present);
    if (at == std::string::npos) {
      ADD_FAILURE() << "the refusal does not name what was sent: " << text;
      return text;
    }
    text.replace(at, present.size(), absent);
    EXPECT_EQ(b.body.value("errortext", ""), text);
    return a.body.value("errortext", "");
  };
  for (const char* who : {"alice", "dana"}) {
    same(who, list, "accountid", "acct-carol", "acct-nobody");
    same(who, list, "domainid", "dom-Globex", "dom-nowhere");
  }
  same("alice", With(list, "domainid", "dom-Acme"), "account", "dana", "nobody");
  same("alice", list, "account", "dana", "nobody");  // in alice's own domain
  same("alice", list, "domainid", "dom-Research", "dom-nowhere");
  same("dana", kRegenerate, "accountid", "acct-carol", "acct-nobody");
  same("dana", kRegenerate, "domainid", "dom-Globex", "dom-nowhere");
  // A numeric id: the refusal names only what was sent, not the account.
  std::string text =
      same("alice", list, "accountid", std::to_string(api_.account("carol")), "987654");
  EXPECT_EQ(text.find("carol"), std::string::npos) << text;
  // Someone else's job, and no job at all.
  std::string job = Submit("dana", kRegenerate);
  api_.WaitForJob("dana", job);
  const api::Params query = {{"command", "queryAsyncJobResult"}};
  same("alice", query, "jobid", job, "00000000-0000-4000-8000-000000000000");
  same("carol", query, "jobid", job, "00000000-0000-4000-8000-000000000000");
}

// A user may name its own domain: it still sees only its own records.
TEST_P(ApiOperatorTest, AUserMayNameItsOwnDomain) {
  const api::Params list = {{"command", "listUsageRecords"}, {"startdate", "2026-01-01"},
                            {"enddate", "2026-01-02"}};
  for (const api::Params& p :
       {With(list, "domainid", "dom-Acme"),
        With(With(list, "domainid", "dom-Acme"), "isrecursive", "true"),
        With(With(list, "domainid", "dom-Acme"), "account", "alice")}) {
    Answer a = Call("alice", p);
    ASSERT_EQ(a.status, 200) << a.body.dump();
    EXPECT_EQ(a.body["count"], 4);
    for (const auto& r : a.body["usagerecord"]) EXPECT_EQ(r["account"], "alice");
  }
  EXPECT_EQ(Call("alice", With(list, "domainid", std::to_string(api_.domain("Acme")))).status,
            200);
}

INSTANTIATE_TEST_SUITE_P(Engines, ApiOperatorTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
