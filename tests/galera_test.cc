// Several usaged nodes on a two-node MariaDB Galera cluster, each usaged
// process talking to one DB node: row locks do not reach across DB nodes,
// conflicts surface as deadlock errors at commit, and still no unit is lost
// or billed twice. scripts/test.sh starts the cluster
// (scripts/galera-test-cluster.sh) and exports its two URLs.
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/error.h"
#include "store/store.h"
#include "store/mariadb/mariadb_params.h"
#include "support/node_scenario.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

std::string EnvOrEmpty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

class GaleraTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node1_ = EnvOrEmpty("USAGED_TEST_GALERA_URL1");
    node2_ = EnvOrEmpty("USAGED_TEST_GALERA_URL2");
    if (!node1_.empty() && !node2_.empty()) return;
    const char* why =
        "USAGED_TEST_GALERA_URL1/URL2 are not set: start a two-node Galera cluster with "
        "scripts/galera-test-cluster.sh start DIR and eval its `env DIR` (scripts/test.sh "
        "does both)";
    if (EnvOrEmpty("CI") == "true") FAIL() << why;
    GTEST_SKIP() << why;
  }

  // A fresh store on DB node 1 with a random cloud of `days` days.
  std::unique_ptr<TestStore> CloudStore(int days) {
    auto db = NewMariaDbTestStoreOn(node1_);
    WriteNodeScenarioCloud(*db, days);
    return db;
  }

  std::string node1_, node2_;
};

// Galera replicates InnoDB tables only, and needs a primary key on each to
// apply row changes on the other nodes: every table of both databases has
// one, and what is written through one DB node is read through the other.
TEST_F(GaleraTest, BothDbNodesShareTheSchemaOfInnoDbTablesWithPrimaryKeys) {
  auto db = NewMariaDbTestStoreOn(node1_);
  auto params = store::ParseMariaDbUrl(db->url);
  const std::string schemas = "('" + params.cloud_db + "', '" + params.usage_db + "')";
  EXPECT_GT(QueryCount(*db->conn, "SELECT count(*) FROM information_schema.tables WHERE "
                                  "table_schema IN " + schemas), 40);
  EXPECT_EQ(QueryColumn(*db->conn,
                        "SELECT concat(t.table_schema, '.', t.table_name, ' ', t.engine) FROM "
                        "information_schema.tables t WHERE t.table_schema IN " + schemas +
                        " AND (t.engine <> 'InnoDB' OR NOT EXISTS (SELECT 1 FROM "
                        "information_schema.table_constraints c WHERE c.table_schema = "
                        "t.table_schema AND c.table_name = t.table_name AND "
                        "c.constraint_type = 'PRIMARY KEY')) ORDER BY 1"),
            std::vector<std::string>{});

  auto on_node2 = store::OpenStore(SameDatabasesOn(db->url, node2_))->Connect();
  EXPECT_EQ(QueryColumn(*on_node2, "SELECT variable_value FROM information_schema.global_status "
                                   "WHERE variable_name = 'WSREP_CLUSTER_SIZE'"),
            std::vector<std::string>{"2"});
  db->SetConfig("usage.threads", "3");
  on_node2->Exec("SET SESSION wsrep_sync_wait = 1");
  EXPECT_EQ(QueryColumn(*on_node2, "SELECT value FROM ${cloud}.configuration WHERE name = "
                                   "'usage.threads'"),
            std::vector<std::string>{"3"});
}

// The job lock (cleanup, repair) cannot be a server lock on Galera: one taken
// through DB node 1 would not be seen through DB node 2. Its row lease is.
TEST_F(GaleraTest, TheJobLockTakenThroughOneDbNodeHoldsThroughTheOther) {
  auto db = NewMariaDbTestStoreOn(node1_);
  const std::string via_node2 = SameDatabasesOn(db->url, node2_);
  {
    auto lock = db->store->LockJobs();
    CliResult refused = RunCli({"--db", via_node2, "cleanup"});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_TRUE(Contains(refused.err, "another usaged process is running usage jobs"))
        << refused.err;
    EXPECT_THROW(store::OpenStore(via_node2)->LockJobs(), DbError);
  }
  CliResult cleanup = RunCli({"--db", via_node2, "cleanup"});
  EXPECT_EQ(cleanup.exit_code, 0) << cleanup.err;
}

// A write-set from the other DB node sometimes aborts a local transaction
// without the next prepared statement reporting it; that statement then runs
// on its own. Here the server ends the transaction behind the connection's
// back the same way: what follows must not be committed, and the caller must
// be told to redo the transaction.
TEST_F(GaleraTest, ATransactionTheServerEndedSilentlyCommitsNothing) {
  auto db = NewMariaDbTestStoreOn(node1_);
  auto conn = store::OpenStore(SameDatabasesOn(db->url, node2_))->Connect();
  conn->Exec("CREATE TABLE ${usage}.guarded (id bigint NOT NULL PRIMARY KEY)");
  {
    store::Transaction tx(*conn);
    conn->Run("INSERT INTO ${usage}.guarded (id) VALUES (1)");
    conn->Exec("ROLLBACK");
    conn->Run("INSERT INTO ${usage}.guarded (id) VALUES (2)");
    try {
      tx.Commit();
      ADD_FAILURE() << "a transaction the server had ended was committed";
    } catch (const DbError& e) {
      EXPECT_TRUE(e.transient()) << e.what();
      EXPECT_TRUE(Contains(e.what(), "Galera")) << e.what();
    }
  }
  // Redone, it commits; statements outside transactions commit on their own
  // again.
  {
    store::Transaction tx(*conn);
    conn->Run("INSERT INTO ${usage}.guarded (id) VALUES (3)");
    tx.Commit();
  }
  conn->Run("INSERT INTO ${usage}.guarded (id) VALUES (4)");
  db->conn->Exec("SET SESSION wsrep_sync_wait = 1");
  EXPECT_EQ(QueryColumn(*db->conn, "SELECT id FROM ${usage}.guarded ORDER BY id"),
            (std::vector<std::string>{"3", "4"}));
}

// Three nodes, two on DB node 1 and one on DB node 2, run each daily job of
// 30 simulated days together; one of them is SIGKILLed at a random moment 20
// times and started again. They bill exactly what one process bills alone.
TEST_F(GaleraTest, ThreeNodesOnTwoDbNodesKilledAtRandomBillLikeOne) {
  constexpr int kDays = 30;
  auto reference = CloudStore(kDays);
  auto shared = CloudStore(kDays);
  shared->SetConfig("usage.cluster.lease.seconds", "2");
  ASSERT_NO_FATAL_FAILURE(RunDailyAlone(reference->url, kDays));
  const std::string via_node2 = SameDatabasesOn(shared->url, node2_);
  int kills = RunDailyKillingNodes({shared->url, via_node2, shared->url}, kDays, 20, 20261126);
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(kills, 20);
  ExpectNodesBilledLikeReference(*shared, reference->url, kDays);
}

// Fencing across DB nodes: the paused node's claim lives on DB node 1, the
// node that takes its unit over works on DB node 2.
TEST_F(GaleraTest, ANodePausedPastItsLeaseCannotCommitThroughAnotherDbNode) {
  auto reference = CloudStore(3);
  auto shared = CloudStore(3);
  ASSERT_NO_FATAL_FAILURE(RunDailyAlone(reference->url, 3));
  ExpectPausedNodeCannotCommit(*shared, shared->url, SameDatabasesOn(shared->url, node2_),
                               reference->url);
}

}  // namespace
}  // namespace usaged::testing
