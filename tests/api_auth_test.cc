// Authentication (CloudStack request signing) and per-role scoping of every
// API command, over real HTTP.
#include <gtest/gtest.h>

#include "support/api_harness.h"

namespace usaged::testing {
namespace {

class ApiAuthTest : public ::testing::TestWithParam<std::string> {
 protected:
  ApiAuthTest() : api_(GetParam()) {}

  int Status(const api::Params& params) {
    auto res = api_.Get(params);
    return res ? res->status : -1;
  }

  // Accounts (by name) whose records `who` sees with `extra` parameters.
  std::set<std::string> SeenAccounts(const std::string& who, api::Params extra = {}) {
    api::Params p = {{"command", "listUsageRecords"}, {"startdate", "2026-01-01"},
                     {"enddate", "2026-01-02"}};
    p.insert(p.end(), extra.begin(), extra.end());
    int status = 0;
    auto body = api_.Json(who, p, &status);
    EXPECT_EQ(status, 200) << body.dump();
    std::set<std::string> names;
    for (const auto& r : body["listusagerecordsresponse"].value("usagerecord",
                                                                nlohmann::ordered_json::array())) {
      names.insert(r["account"].get<std::string>());
    }
    return names;
  }

  int ErrorCode(const std::string& who, const api::Params& params) {
    int status = 0;
    auto body = api_.Json(who, params, &status);
    return status;
  }

  ApiHarness api_;
};

const api::Params kList = {{"command", "listUsageTypes"}, {"response", "json"}};

TEST_P(ApiAuthTest, ValidSignaturesAreAcceptedByGetAndPost) {
  EXPECT_EQ(Status(api_.Signed("alice", kList)), 200);
  auto post = api_.Post(api_.Signed("alice", kList));
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 200) << post->body;
  // Without signatureversion=3 no expiry is needed (CloudStack's version 2).
  api::Params v2 = kList;
  v2.emplace_back("apiKey", api_.key("alice").api_key);
  v2.emplace_back("signature", api::Sign(api_.key("alice").secret, v2));
  EXPECT_EQ(Status(v2), 200);
}

TEST_P(ApiAuthTest, WrongSecretTamperingExpiryAndMissingPartsAreRefused) {
  // Wrong secret: alice's key signed with bob's secret.
  api::Params wrong = kList;
  wrong.emplace_back("apiKey", api_.key("alice").api_key);
  wrong.emplace_back("signature", api::Sign(api_.key("bob").secret, wrong));
  EXPECT_EQ(Status(wrong), 401);

  // Tampered parameter after signing.
  api::Params tampered = api_.Signed("alice", {{"command", "listUsageRecords"},
                                               {"startdate", "2026-01-01"},
                                               {"enddate", "2026-01-02"},
                                               {"accountid", "acct-alice"},
                                               {"response", "json"}});
  for (auto& [k, v] : tampered) {
    if (k == "accountid") v = "acct-carol";
  }
  auto res = api_.Get(tampered);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(nlohmann::json::parse(res->body)["listusagerecordsresponse"]["errortext"],
            "unable to verify user credentials and/or request signature");

  // Expired: valid signature, but the clock has passed `expires`.
  api::Params signed_now = api_.Signed("alice", kList);
  api_.clock().Advance(std::chrono::minutes(6));
  EXPECT_EQ(Status(signed_now), 401);
  EXPECT_EQ(Status(api_.Signed("alice", kList)), 200);

  // signatureversion=3 without expires; malformed expires.
  api::Params no_expires = kList;
  no_expires.emplace_back("apiKey", api_.key("alice").api_key);
  no_expires.emplace_back("signatureversion", "3");
  no_expires.emplace_back("signature", api::Sign(api_.key("alice").secret, no_expires));
  EXPECT_EQ(Status(no_expires), 401);
  api::Params bad_expires = no_expires;
  bad_expires.pop_back();
  bad_expires.emplace_back("expires", "tomorrow");
  bad_expires.emplace_back("signature", api::Sign(api_.key("alice").secret, bad_expires));
  EXPECT_EQ(Status(bad_expires), 401);

  // Missing signature, missing apiKey, unknown apiKey.
  api::Params no_signature = kList;
  no_signature.emplace_back("apiKey", api_.key("alice").api_key);
  EXPECT_EQ(Status(no_signature), 401);
  api::Params no_key = kList;
  no_key.emplace_back("signature", api::Sign(api_.key("alice").secret, no_key));
  EXPECT_EQ(Status(no_key), 401);
  api::Params unknown = kList;
  unknown.emplace_back("apiKey", "nobody");
  unknown.emplace_back("signature", api::Sign("x", unknown));
  EXPECT_EQ(Status(unknown), 401);
}

TEST_P(ApiAuthTest, RevokedKeysAndCloudStackUserKeys) {
  api::KeyStore(*api_.store().conn, nullptr).Revoke(api_.key("carol").api_key, api_.clock().Now());
  EXPECT_EQ(Status(api_.Signed("carol", kList)), 401);
  // A key CloudStack keeps in cloud.user (secret in clear) works with the
  // role of its account: carol is a user and sees only her records.
  ApiHarness::Key cs{"cs-key-of-carol", "cs-secret-of-carol"};
  api_.AddCloudStackUser("carol", cs);
  api::Params p = {{"command", "listUsageRecords"}, {"startdate", "2026-01-01"},
                   {"enddate", "2026-01-02"}, {"response", "json"}, {"apiKey", cs.api_key}};
  p.emplace_back("signature", api::Sign(cs.secret, p));
  auto res = api_.Get(p);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto body = nlohmann::json::parse(res->body)["listusagerecordsresponse"];
  EXPECT_EQ(body["count"], 4);  // 2 days x (running + allocated)
  for (const auto& r : body["usagerecord"]) EXPECT_EQ(r["account"], "carol");
}

// A key whose stored secret does not open with the server's key file (it was
// sealed with another one) cannot be verified: 401, not an internal error.
TEST_P(ApiAuthTest, AKeyWhoseSecretDoesNotOpenIsUnauthorized) {
  TempDir other_dir;
  auto other = api::SecretBox::FromKeyFile(other_dir.path() + "/other.key", true);
  const ApiHarness::Key sealed_elsewhere{"key-sealed-elsewhere", "secret-sealed-elsewhere"};
  api_.store().conn->Run(
      "INSERT INTO ${usage}.usaged_api_key (api_key, sealed_secret, account_id, role, "
      "created_at) VALUES (?, ?, ?, 'admin', ?)",
      sealed_elsewhere.api_key, other.Seal(sealed_elsewhere.secret), api_.account("root"),
      api_.clock().Now());
  api::Params p = kList;
  p.emplace_back("apiKey", sealed_elsewhere.api_key);
  p.emplace_back("signature", api::Sign(sealed_elsewhere.secret, p));
  auto res = api_.Get(p);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401) << res->body;
  EXPECT_EQ(nlohmann::json::parse(res->body)["listusagetypesresponse"]["errortext"],
            "unable to verify user credentials and/or request signature");
  // The keys that do open keep working.
  EXPECT_EQ(Status(api_.Signed("alice", kList)), 200);
}

TEST_P(ApiAuthTest, ListUsageRecordsIsScopedPerRole) {
  using Names = std::set<std::string>;
  EXPECT_EQ(SeenAccounts("root"), (Names{"alice", "bob", "carol"}));
  EXPECT_EQ(SeenAccounts("dana"), (Names{"alice", "bob"}));
  EXPECT_EQ(SeenAccounts("alice"), (Names{"alice"}));
  EXPECT_EQ(SeenAccounts("bob"), (Names{"bob"}));
  // Filters within scope.
  EXPECT_EQ(SeenAccounts("root", {{"domainid", "dom-Acme"}}), (Names{"alice"}));
  EXPECT_EQ(SeenAccounts("root", {{"domainid", "dom-Acme"}, {"isrecursive", "true"}}),
            (Names{"alice", "bob"}));
  EXPECT_EQ(SeenAccounts("dana", {{"accountid", "acct-bob"}}), (Names{"bob"}));
  EXPECT_EQ(SeenAccounts("dana", {{"account", "alice"}}), (Names{"alice"}));
  EXPECT_EQ(SeenAccounts("alice", {{"accountid", "acct-alice"}}), (Names{"alice"}));
  // Outside scope: refused, never an empty or partial answer.
  api::Params base = {{"command", "listUsageRecords"}, {"startdate", "2026-01-01"},
                      {"enddate", "2026-01-02"}};
  auto with = [&](const char* k, const char* v) {
    api::Params p = base;
    p.emplace_back(k, v);
    return p;
  };
  EXPECT_EQ(ErrorCode("alice", with("accountid", "acct-bob")), 531);
  EXPECT_EQ(ErrorCode("alice", with("accountid", std::to_string(api_.account("carol")).c_str())),
            531);
  EXPECT_EQ(ErrorCode("alice", with("domainid", "dom-Research")), 531);
  EXPECT_EQ(ErrorCode("dana", with("accountid", "acct-carol")), 531);
  EXPECT_EQ(ErrorCode("dana", with("domainid", "dom-Globex")), 531);
  EXPECT_EQ(ErrorCode("dana", with("domainid", "dom-ROOT")), 531);
}

TEST_P(ApiAuthTest, RegenerateAndJobsAreScopedPerRole) {
  api::Params regen = {{"command", "regenerateUsageRecords"}, {"startdate", "2026-01-01"},
                       {"enddate", "2026-01-02"}, {"reason", "customer dispute"}};
  auto with = [&](const char* k, const char* v) {
    api::Params p = regen;
    p.emplace_back(k, v);
    return p;
  };
  EXPECT_EQ(ErrorCode("alice", with("accountid", "acct-alice")), 401);  // users only read
  EXPECT_EQ(ErrorCode("dana", with("accountid", "acct-carol")), 531);
  EXPECT_EQ(ErrorCode("dana", with("domainid", "dom-Globex")), 531);
  // A range that is not billed yet is refused at once, before any job exists.
  api::Params unbilled = {{"command", "regenerateUsageRecords"}, {"startdate", "2026-01-02"},
                          {"enddate", "2026-01-05"}, {"reason", "too early"}};
  EXPECT_EQ(ErrorCode("root", unbilled), 431);

  // Her domain admin regenerates alice's records: the job touches only her account.
  auto accepted = api_.Json("dana", with("accountid", "acct-alice"));
  std::string job = accepted["regenerateusagerecordsresponse"]["jobid"];
  auto done = api_.WaitForJob("dana", job)["queryasyncjobresultresponse"];
  EXPECT_EQ(done["jobstatus"], 1) << done.dump();
  EXPECT_EQ(done["jobresult"]["records"], 4);  // 2 days x (running + allocated)
  // Users cannot read the job's result (it is dana's); dana and root can.
  EXPECT_EQ(ErrorCode("alice", {{"command", "queryAsyncJobResult"}, {"jobid", job}}), 531);
  EXPECT_EQ(ErrorCode("bob", {{"command", "queryAsyncJobResult"}, {"jobid", job}}), 531);
  EXPECT_EQ(ErrorCode("carol", {{"command", "queryAsyncJobResult"}, {"jobid", job}}), 531);
  EXPECT_EQ(ErrorCode("dana", {{"command", "queryAsyncJobResult"}, {"jobid", job}}), 200);
  EXPECT_EQ(ErrorCode("root", {{"command", "queryAsyncJobResult"}, {"jobid", job}}), 200);

  // listUsageJobs: alice sees her regeneration; carol sees no job; dana sees
  // it (alice is in Acme); root sees it and the scheduled runs.
  auto jobs_of = [&](const std::string& who) {
    return api_.Json(who, {{"command", "listUsageJobs"}})["listusagejobsresponse"].value(
        "count", 0);
  };
  EXPECT_EQ(jobs_of("alice"), 1);
  EXPECT_EQ(jobs_of("carol"), 0);
  EXPECT_EQ(jobs_of("dana"), 1);
  EXPECT_EQ(jobs_of("root"), 2);
  // Records are the same after regeneration (same events): nothing lost or doubled.
  EXPECT_EQ(QueryCount(*api_.store().conn, "SELECT count(*) FROM ${usage}.cloud_usage"), 12);
}

TEST_P(ApiAuthTest, AdminOnlyCommandsAreRefusedToOthers) {
  for (const char* who : {"dana", "alice"}) {
    EXPECT_EQ(ErrorCode(who, {{"command", "listUsageServerMetrics"}}), 401) << who;
  }
  // Billing records are rewritten by root and domain admins only.
  EXPECT_EQ(ErrorCode("alice", {{"command", "generateUsageRecords"}, {"startdate", "2026-01-01"},
                                {"enddate", "2026-01-02"}}),
            401);
  EXPECT_EQ(ErrorCode("alice", {{"command", "removeRawUsageRecords"}, {"interval", "1"}}), 401);
  // listApis shows each role only what it may call.
  auto names = [&](const std::string& who) {
    std::set<std::string> out;
    auto body = api_.Json(who, {{"command", "listApis"}});
    for (const auto& a : body["listapisresponse"]["api"]) {
      out.insert(a["name"].get<std::string>());
    }
    return out;
  };
  EXPECT_TRUE(names("root").count("removeRawUsageRecords"));
  EXPECT_FALSE(names("alice").count("removeRawUsageRecords"));
  EXPECT_FALSE(names("alice").count("regenerateUsageRecords"));
  EXPECT_TRUE(names("dana").count("regenerateUsageRecords"));
  EXPECT_EQ(QueryCount(*api_.store().conn, "SELECT count(*) FROM ${usage}.cloud_usage"), 12);
}

INSTANTIATE_TEST_SUITE_P(Engines, ApiAuthTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
