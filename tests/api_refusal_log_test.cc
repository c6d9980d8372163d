// Refused API requests leave a trace for the operator: failed authentication
// and scope refusals are logged at warn level with the caller's address and
// API key (never its secret or the signature), and a flood of them is rate
// limited rather than flooding the log.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "support/api_harness.h"

namespace usaged::testing {
namespace {

// Sends every log line of the process to a buffer while it lives (set up
// before the server starts, restored after it stops).
class LogCapture {
 public:
  LogCapture()
      : previous_(spdlog::default_logger()),
        sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(100'000)) {
    sink_->set_pattern("%l %v");
    auto logger = std::make_shared<spdlog::logger>("capture", sink_);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }

  // The warn-level lines logged so far that contain `text`.
  std::vector<std::string> Warnings(const std::string& text = "") const {
    std::vector<std::string> out;
    for (auto& line : sink_->last_formatted()) {
      if (line.starts_with("warning ") && line.find(text) != std::string::npos) {
        out.push_back(line);
      }
    }
    return out;
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

class ApiRefusalLogTest : public ::testing::TestWithParam<std::string> {
 protected:
  ApiRefusalLogTest() : api_(GetParam()) {}

  // listUsageTypes with `api_key`, signed with a secret that is not its own.
  int BadSignature(const std::string& api_key) {
    api::Params p = {{"command", "listUsageTypes"}, {"response", "json"}, {"apiKey", api_key}};
    p.emplace_back("signature", api::Sign("not-the-secret", p));
    auto res = api_.Get(p);
    return res ? res->status : -1;
  }

  LogCapture log_;
  ApiHarness api_;
};

TEST_P(ApiRefusalLogTest, FailedAuthenticationIsLoggedWithAddressAndKeyOnly) {
  const auto& alice = api_.key("alice");
  api::Params p = {{"command", "listUsageTypes"}, {"apiKey", alice.api_key}};
  const std::string signature = api::Sign("not-the-secret", p);
  p.emplace_back("signature", signature);
  auto res = api_.Get(p);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  auto lines = log_.Warnings(alice.api_key);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("127.0.0.1"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[0].find(signature), std::string::npos) << lines[0];
  EXPECT_EQ(lines[0].find(alice.secret), std::string::npos) << lines[0];

  // An unknown key, and one written to forge a second log line.
  EXPECT_EQ(BadSignature("no-such-key"), 401);
  EXPECT_EQ(log_.Warnings("no-such-key").size(), 1u);
  EXPECT_EQ(BadSignature("evil\nwarning forged line"), 401);
  auto forged = log_.Warnings("forged line");
  ASSERT_EQ(forged.size(), 1u);
  EXPECT_EQ(std::count(forged[0].begin(), forged[0].end(), '\n'), 1) << forged[0];
}

TEST_P(ApiRefusalLogTest, ScopeRefusalsAreLoggedWithAddressAndKey) {
  const auto& alice = api_.key("alice");
  int status = 0;
  api_.Json("alice", {{"command", "listUsageRecords"}, {"startdate", "2026-01-01"},
                      {"enddate", "2026-01-02"}, {"accountid", "acct-carol"}},
            &status);
  EXPECT_EQ(status, 531);
  auto lines = log_.Warnings("listUsageRecords");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("127.0.0.1"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(alice.api_key), std::string::npos) << lines[0];
  EXPECT_EQ(lines[0].find(alice.secret), std::string::npos) << lines[0];
  // A command the role may not call.
  api_.Json("alice", {{"command", "removeRawUsageRecords"}, {"interval", "1"}}, &status);
  EXPECT_EQ(status, 401);
  lines = log_.Warnings("removeRawUsageRecords");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(alice.api_key), std::string::npos) << lines[0];
  // Accepted requests log no warning.
  size_t warnings = log_.Warnings().size();
  api_.Json("alice", {{"command", "listUsageTypes"}}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(log_.Warnings().size(), warnings);
}

TEST_P(ApiRefusalLogTest, AFloodOfRefusalsIsRateLimited) {
  constexpr int kFlood = 300;
  for (int i = 0; i < kFlood; ++i) ASSERT_EQ(BadSignature(fmt::format("flood-{}", i)), 401);
  size_t logged = log_.Warnings("flood-").size();
  EXPECT_GE(logged, 1u);
  EXPECT_LE(logged, 20u) << "a flood of bad requests floods the log";
  // Scope refusals have their own budget: the flood does not hide them.
  int status = 0;
  api_.Json("bob", {{"command", "listUsageRecords"}, {"startdate", "2026-01-01"},
                    {"enddate", "2026-01-02"}, {"accountid", "acct-carol"}},
            &status);
  EXPECT_EQ(status, 531);
  EXPECT_EQ(log_.Warnings(api_.key("bob").api_key).size(), 1u);
  // Later, the next refusal is logged again, with the count of those left out.
  api_.clock().Advance(std::chrono::minutes(10));
  EXPECT_EQ(BadSignature("after-the-flood"), 401);
  auto lines = log_.Warnings("after-the-flood");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(fmt::format("{} more", kFlood - logged)), std::string::npos) << lines[0];
}

INSTANTIATE_TEST_SUITE_P(Engines, ApiRefusalLogTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
