// `usaged serve` and its listening socket: a port held by another server is
// refused with the system's reason (never shared), and a stop is logged.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include "support/api_harness.h"

namespace usaged::testing {
namespace {

bool Healthy(int port) {
  httplib::Client c("127.0.0.1", port);
  auto res = c.Get("/healthz");
  return res && (res->status == 200 || res->status == 503);
}

// Whether the process ended (without reaping it: CliProcess::Wait does).
bool Ended(pid_t pid) {
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

class ApiListenTest : public ::testing::Test {
 protected:
  ApiListenTest() : store_(NewTestStore("sqlite")) {}
  std::vector<std::string> Serve(int port) {
    return {"--db", store_->url, "serve", "--listen", "127.0.0.1:" + std::to_string(port),
            "--key-file", dir_.path() + "/api.key"};
  }

  std::unique_ptr<TestStore> store_;
  TempDir dir_;
};

TEST_F(ApiListenTest, ASecondServeOnABusyPortFailsWithTheSystemsReason) {
  int port = FreeLocalPort();
  CliProcess first(Serve(port));
  ASSERT_TRUE(WaitFor([&] { return Healthy(port); }));

  CliProcess second(Serve(port));
  ASSERT_TRUE(WaitFor([&] { return Ended(second.pid()); }, std::chrono::seconds(10)))
      << "the second server runs on a port the first one holds";
  CliResult refused = second.Wait();
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("cannot listen on 127.0.0.1:" + std::to_string(port) +
                             ": address already in use"),
            std::string::npos)
      << refused.err;
  EXPECT_TRUE(Healthy(port));  // the first one still serves

  first.Signal(SIGTERM);
  EXPECT_EQ(first.Wait().exit_code, 0);
}

TEST_F(ApiListenTest, ServeLogsAGracefulStop) {
  int port = FreeLocalPort();
  CliProcess serve(Serve(port));
  ASSERT_TRUE(WaitFor([&] { return Healthy(port); }));
  serve.Signal(SIGTERM);
  CliResult stopped = serve.Wait();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_NE(stopped.err.find("API server stopped on port " + std::to_string(port)),
            std::string::npos)
      << stopped.err;
  EXPECT_FALSE(Healthy(port));
}

}  // namespace
}  // namespace usaged::testing
