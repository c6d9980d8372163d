// The NETWORK handler on its own: which usage_networks rows each event leaves.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "ingest/handlers.h"
#include "ingest/helper_tables.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

using ingest::ApplyOutcome;
using ingest::IntervalRow;
using ingest::SqlValue;

constexpr int64_t kNetwork = 900;

class NetworkEventsTest : public ::testing::TestWithParam<std::string> {
 protected:
  NetworkEventsTest() : db_(NewTestStore(GetParam())) {}

  store::Connection& conn() { return *db_->conn; }

  // A row as a Java server may have left it.
  void Row(int64_t account, int64_t offering, const char* state, const char* created,
           const char* removed = nullptr) {
    std::optional<Instant> end;
    if (removed) end = ParseUtc(removed);
    conn().Run("INSERT INTO ${usage}.usage_networks (network_offering_id, zone_id, network_id, "
               "account_id, domain_id, state, created, removed) VALUES (?, 3, ?, ?, 1, ?, ?, ?)",
               offering, kNetwork, account, std::string(state), ParseUtc(created), end);
  }

  static ingest::UsageEvent Event(const std::string& type, const char* when) {
    ingest::UsageEvent e;
    e.type = type;
    e.account_id = 2;
    e.created = ParseUtc(when);
    e.zone_id = 3;
    e.resource_id = kNetwork;
    e.offering_id = 40;
    return e;
  }

  // Applies `e` to a working copy loaded as the event step loads it.
  ApplyOutcome Apply(const ingest::UsageEvent& e) {
    ingest::PrefetchRequest request;
    handler_->Prefetch(e, request);
    request.Load(conn(), tables_);
    return handler_->Apply(tables_, e, store::AccountRef{e.account_id, 1, std::nullopt});
  }

  // The network's rows, oldest first, as "offering state account zone start - end".
  std::vector<std::string> Rows() {
    std::vector<std::string> out;
    for (const IntervalRow* r :
         tables_.Get(ingest::kNetworksTable).Find({{"network_id", kNetwork}}, true)) {
      const SqlValue& state = r->values.at("state");
      out.push_back(fmt::format(
          "{} {} {} {} {} - {}", r->Int("network_offering_id"),
          std::holds_alternative<std::string>(state) ? std::get<std::string>(state) : "NULL",
          r->Int("account_id"), r->Int("zone_id"), FormatUtc(r->start),
          r->end ? FormatUtc(*r->end) : "open"));
    }
    return out;
  }

  std::unique_ptr<TestStore> db_;
  std::unique_ptr<ingest::EventHandler> handler_ = ingest::NewNetworkEventHandler();
  ingest::HelperTables tables_;
};

TEST_P(NetworkEventsTest, CreateOpensAnAllocatedRowWhateverResourceTypeSays) {
  auto e = Event("NETWORK.CREATE", "2026-01-13 06:00:00");
  e.resource_type = "Implemented";
  EXPECT_EQ(Apply(e).kind, ApplyOutcome::Kind::kApplied);
  EXPECT_EQ(Rows(), std::vector<std::string>{"40 Allocated 2 3 2026-01-13 06:00:00 - open"});
}

TEST_P(NetworkEventsTest, UpdateEndsEveryOpenRowAndOpensOneFromTheEvent) {
  // Two open rows (left by a Java server before 4.19.1's rewrite), one of
  // another account: the update ends both, as CloudStack's remove() does.
  Row(2, 40, "Allocated", "2026-01-13 00:00:00");
  Row(7, 40, "Implemented", "2026-01-13 06:00:00");
  auto e = Event("NETWORK.UPDATE", "2026-01-13 12:00:00");
  e.offering_id = 41;
  e.zone_id = 4;
  e.resource_type = "Shutdown";
  EXPECT_EQ(Apply(e).kind, ApplyOutcome::Kind::kApplied);
  EXPECT_EQ(Rows(), (std::vector<std::string>{
                        "40 Allocated 2 3 2026-01-13 00:00:00 - 2026-01-13 12:00:00",
                        "40 Implemented 7 3 2026-01-13 06:00:00 - 2026-01-13 12:00:00",
                        "41 Shutdown 2 4 2026-01-13 12:00:00 - open"}));
}

TEST_P(NetworkEventsTest, UpdateThatChangesNothingStillStartsARow) {
  Apply(Event("NETWORK.CREATE", "2026-01-13 00:00:00"));
  auto e = Event("NETWORK.UPDATE", "2026-01-13 06:00:00");
  e.resource_type = "Allocated";
  EXPECT_EQ(Apply(e).kind, ApplyOutcome::Kind::kApplied);
  EXPECT_EQ(Rows(), (std::vector<std::string>{
                        "40 Allocated 2 3 2026-01-13 00:00:00 - 2026-01-13 06:00:00",
                        "40 Allocated 2 3 2026-01-13 06:00:00 - open"}));
}

TEST_P(NetworkEventsTest, UpdateInTheSecondTheRowBeganLeavesItZeroLength) {
  Apply(Event("NETWORK.CREATE", "2026-01-13 10:00:00"));
  auto e = Event("NETWORK.UPDATE", "2026-01-13 10:00:00");
  e.resource_type = "Implemented";
  Apply(e);
  EXPECT_EQ(Rows(), (std::vector<std::string>{
                        "40 Allocated 2 3 2026-01-13 10:00:00 - 2026-01-13 10:00:00",
                        "40 Implemented 2 3 2026-01-13 10:00:00 - open"}));
}

TEST_P(NetworkEventsTest, UpdateWithoutStateOrOfferingStoresNoStateAndKeepsTheOffering) {
  Apply(Event("NETWORK.CREATE", "2026-01-13 00:00:00"));
  auto e = Event("NETWORK.UPDATE", "2026-01-13 12:00:00");
  e.offering_id.reset();
  EXPECT_EQ(Apply(e).kind, ApplyOutcome::Kind::kApplied);
  EXPECT_EQ(Rows(), (std::vector<std::string>{
                        "40 Allocated 2 3 2026-01-13 00:00:00 - 2026-01-13 12:00:00",
                        "40 NULL 2 3 2026-01-13 12:00:00 - open"}));
}

TEST_P(NetworkEventsTest, UpdateOfANetworkThatNeverHadARowOpensOne) {
  auto e = Event("NETWORK.UPDATE", "2026-01-13 08:00:00");
  e.resource_type = "Implemented";
  ApplyOutcome outcome = Apply(e);
  EXPECT_EQ(outcome.kind, ApplyOutcome::Kind::kHealed);
  EXPECT_NE(outcome.note.find("had no usage row"), std::string::npos) << outcome.note;
  EXPECT_EQ(Rows(), std::vector<std::string>{"40 Implemented 2 3 2026-01-13 08:00:00 - open"});
}

TEST_P(NetworkEventsTest, UpdateOfADeletedNetworkIsRefused) {
  Row(2, 40, "Allocated", "2026-01-13 01:00:00", "2026-01-13 03:00:00");
  ApplyOutcome outcome = Apply(Event("NETWORK.UPDATE", "2026-01-13 05:00:00"));
  EXPECT_EQ(outcome.kind, ApplyOutcome::Kind::kQuarantined);
  EXPECT_NE(outcome.note.find("deleted at 2026-01-13 03:00:00"), std::string::npos)
      << outcome.note;
  EXPECT_EQ(Rows(), std::vector<std::string>{
                        "40 Allocated 2 3 2026-01-13 01:00:00 - 2026-01-13 03:00:00"});
}

TEST_P(NetworkEventsTest, UpdateOlderThanTheOpenRowIsRefused) {
  Apply(Event("NETWORK.CREATE", "2026-01-13 10:00:00"));
  EXPECT_EQ(Apply(Event("NETWORK.UPDATE", "2026-01-13 09:00:00")).kind,
            ApplyOutcome::Kind::kQuarantined);
  EXPECT_EQ(Rows(), std::vector<std::string>{"40 Allocated 2 3 2026-01-13 10:00:00 - open"});
}

TEST_P(NetworkEventsTest, DeleteEndsTheRowsAndKeepsTheirState) {
  Row(2, 40, "Implemented", "2026-01-13 00:00:00");
  EXPECT_EQ(Apply(Event("NETWORK.DELETE", "2026-01-13 18:00:00")).kind,
            ApplyOutcome::Kind::kApplied);
  EXPECT_EQ(Rows(), std::vector<std::string>{
                        "40 Implemented 2 3 2026-01-13 00:00:00 - 2026-01-13 18:00:00"});
}

INSTANTIATE_TEST_SUITE_P(Engines, NetworkEventsTest, ::testing::ValuesIn(TestEngines()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace usaged::testing
