// Alerts by e-mail, end to end: every producer's alert reaches a real SMTP
// server (tests/support/smtp_sink.py), repeated alerts are rate limited, and a
// mail server that is down or hangs never fails or holds up a job.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <set>

#include "alert/alert.h"
#include "alert/delivery.h"
#include "support/scenario.h"
#include "support/smtp_sink.h"

namespace usaged::testing {
namespace {

const std::vector<std::string> kRecipients = {"ops@example.com", "billing@example.com"};

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

void UseMailServer(TestStore& db, int port) {
  db.SetConfig("alert.smtp.host", "127.0.0.1");
  db.SetConfig("alert.smtp.port", std::to_string(port));
  db.SetConfig("alert.email.sender", "usage@example.com");
  db.SetConfig("alert.email.addresses", "ops@example.com, billing@example.com");
}

// A running VM and an event of a type nobody knows (quarantined).
int64_t WriteEventsWithOneBad(Scenario& s) {
  s.Vm("VM.CREATE", "2026-01-13 00:00:00", 7);
  s.Vm("VM.START", "2026-01-13 00:00:00", 7);
  sim::EventSpec unknown;
  unknown.type = "FLUX.CAPACITOR.ON";
  unknown.account_id = s.account();
  unknown.created = ParseUtc("2026-01-13 13:00:00");
  unknown.resource_id = 1;
  return s.Event(unknown);
}

CliResult RunOnce(Scenario& s, const std::string& now,
                  const std::map<std::string, std::string>& env = {}) {
  return RunCli({"--db", s.db().url, "run", "--once", "--now", now}, env);
}

std::vector<std::string> SendStates(Scenario& s) {
  CliResult list = RunCli({"--db", s.db().url, "alerts", "--format", "json"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  std::vector<std::string> states;
  for (const auto& a : nlohmann::json::parse(list.out)) states.push_back(a["state"]);
  return states;
}

class AlertsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(AlertsTest, EveryAlertKindArrivesByMailToTheRecipients) {
  Scenario s(GetParam());
  SmtpSink sink;
  UseMailServer(s.db(), sink.port());
  s.db().SetConfig("usage.alert.unit.failures", "1");
  s.db().SetConfig("usage.restatement.max.days", "2");
  int64_t unknown_id = WriteEventsWithOneBad(s);

  // The first unit fails: the job fails, the unit reaches its failure limit,
  // and the unknown event is quarantined.
  CliResult first = RunOnce(s, "2026-01-15 00:10:00", {{"USAGED_FAULTS", "fail_unit=1"}});
  EXPECT_EQ(first.exit_code, 1) << first.err;
  auto mails = sink.WaitForMails(3);
  ASSERT_EQ(mails.size(), 3u) << first.err;
  std::map<std::string, ReceivedMail> by_subject;
  for (const auto& m : mails) {
    EXPECT_EQ(m.mail_from, "usage@example.com");
    EXPECT_EQ(m.rcpt_tos, kRecipients);
    EXPECT_EQ(m.Header("From"), "usage@example.com");
    EXPECT_EQ(m.Header("To"), "ops@example.com, billing@example.com");
    by_subject[m.Header("Subject")] = m;
  }
  ASSERT_EQ(by_subject.count("usaged: an event was quarantined"), 1u);
  ASSERT_EQ(by_subject.count("usaged: a unit keeps failing"), 1u);
  ASSERT_EQ(by_subject.count("usaged: a usage job failed"), 1u);
  EXPECT_TRUE(Contains(by_subject["usaged: an event was quarantined"].Body(),
                       "#" + std::to_string(unknown_id) + " FLUX.CAPACITOR.ON"));
  EXPECT_TRUE(Contains(by_subject["usaged: an event was quarantined"].Body(),
                       "unknown event type"));
  EXPECT_TRUE(Contains(by_subject["usaged: a unit keeps failing"].Body(),
                       "window 2026-01-13 00:00:00"));
  EXPECT_TRUE(Contains(by_subject["usaged: a usage job failed"].Body(), "1 failed"));

  // The retry succeeds and raises nothing; a late event beyond the
  // restatement limit is refused with its own alert.
  ASSERT_EQ(RunOnce(s, "2026-01-15 00:20:00").exit_code, 0);
  int64_t stop = s.Vm("VM.STOP", "2026-01-11 06:00:00", 7);
  CliResult late = RunOnce(s, "2026-01-15 00:30:00");
  EXPECT_EQ(late.exit_code, 0) << late.err;
  mails = sink.WaitForMails(4);
  ASSERT_EQ(mails.size(), 4u);
  EXPECT_EQ(mails[3].Header("Subject"), "usaged: a late event was refused");
  EXPECT_EQ(mails[3].rcpt_tos, kRecipients);
  EXPECT_TRUE(Contains(mails[3].Body(), "#" + std::to_string(stop) + " VM.STOP"));
  EXPECT_TRUE(Contains(mails[3].Body(), "usage.restatement.max.days"));
  EXPECT_EQ(SendStates(s), std::vector<std::string>(4, "sent"));
}

TEST_P(AlertsTest, RepeatedAlertsAreSummarisedOncePerRateLimitPeriod) {
  Scenario s(GetParam());
  SmtpSink sink;
  UseMailServer(s.db(), sink.port());
  s.db().SetConfig("usage.alert.rate.limit.minutes", "60");
  const auto settings = alert::LoadAlertSettings(s.conn());
  const Instant t0 = ParseUtc("2026-02-01 10:00:00");
  const std::string subject = "usaged: sanity check failed";
  using alert::alert_type::kSanityFinding;
  for (int i = 1; i <= 3; ++i) {
    alert::RaiseAlert(s.conn(), t0, kSanityFinding, subject, "finding " + std::to_string(i));
  }
  auto r = alert::DeliverPendingAlerts(s.conn(), settings, t0);
  EXPECT_EQ(r.mails_sent, 1);
  EXPECT_EQ(r.alerts_sent, 3);
  auto mails = sink.WaitForMails(1);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].Header("Subject"), subject + " (3 alerts)");
  for (const char* f : {"finding 1", "finding 2", "finding 3"}) {
    EXPECT_TRUE(Contains(mails[0].Body(), f)) << mails[0].Body();
  }

  // Ten minutes later: two more of the same are held; another subject is not.
  const Instant t10 = t0 + std::chrono::minutes(10);
  alert::RaiseAlert(s.conn(), t10, kSanityFinding, subject, "finding 4");
  alert::RaiseAlert(s.conn(), t10, kSanityFinding, subject, "finding 5");
  alert::RaiseAlert(s.conn(), t10, alert::alert_type::kJobFailed, "usaged: a usage job failed",
                    "job 9 failed");
  r = alert::DeliverPendingAlerts(s.conn(), settings, t10);
  EXPECT_EQ(r.mails_sent, 1);
  EXPECT_EQ(r.groups_held, 1);
  EXPECT_EQ(r.alerts_pending, 2);
  mails = sink.WaitForMails(2);
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(mails[1].Header("Subject"), "usaged: a usage job failed");

  // Still inside the period: nothing goes out.
  r = alert::DeliverPendingAlerts(s.conn(), settings, t0 + std::chrono::minutes(59));
  EXPECT_EQ(r.mails_sent, 0);
  EXPECT_EQ(r.groups_held, 1);
  // After it: one mail summarises both held alerts.
  r = alert::DeliverPendingAlerts(s.conn(), settings, t0 + std::chrono::minutes(61));
  EXPECT_EQ(r.mails_sent, 1);
  EXPECT_EQ(r.alerts_sent, 2);
  mails = sink.WaitForMails(3);
  ASSERT_EQ(mails.size(), 3u);
  EXPECT_EQ(mails[2].Header("Subject"), subject + " (2 alerts)");
  EXPECT_TRUE(Contains(mails[2].Body(), "finding 4"));
  EXPECT_TRUE(Contains(mails[2].Body(), "finding 5"));
  EXPECT_FALSE(Contains(mails[2].Body(), "finding 1"));
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usaged_alert "
                                 "WHERE sent_at IS NULL"), 0);
}

TEST_P(AlertsTest, AMailServerThatIsDownNeverFailsTheJobAndRetriesAreCapped) {
  Scenario s(GetParam());
  RefusingPort down;
  UseMailServer(s.db(), down.port());
  s.db().SetConfig("usage.alert.send.max.attempts", "2");
  WriteEventsWithOneBad(s);

  CliResult run = RunOnce(s, "2026-01-15 00:10:00");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_FALSE(ReadRecords(s.conn()).empty());
  auto alerts = alert::ListAlerts(s.conn());
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_FALSE(alerts[0].sent_at);
  EXPECT_EQ(alerts[0].send_attempts, 1);
  ASSERT_TRUE(alerts[0].last_send_error);
  EXPECT_TRUE(Contains(*alerts[0].last_send_error, "127.0.0.1")) << *alerts[0].last_send_error;
  EXPECT_EQ(SendStates(s), std::vector<std::string>{"pending"});

  // The second failure reaches the cap: the alert is given up, not retried.
  CliResult send = RunCli({"--db", s.db().url, "alerts", "send", "--now", "2026-01-15 01:00:00"});
  EXPECT_EQ(send.exit_code, 1) << send.err;
  EXPECT_EQ(SendStates(s), std::vector<std::string>{"failed"});
  send = RunCli({"--db", s.db().url, "alerts", "send", "--now", "2026-01-15 02:00:00"});
  EXPECT_EQ(send.exit_code, 0) << send.err;
  EXPECT_EQ(alert::ListAlerts(s.conn())[0].send_attempts, 2);
}

TEST_P(AlertsTest, AMailServerThatHangsCostsOneBoundedAttemptAndAlertsWait) {
  Scenario s(GetParam());
  SilentServer hanging;
  UseMailServer(s.db(), hanging.port());
  s.db().SetConfig("alert.smtp.connectiontimeout", "500");
  s.db().SetConfig("alert.smtp.timeout", "1000");
  s.db().SetConfig("usage.alert.unit.failures", "1");
  WriteEventsWithOneBad(s);

  const auto started = std::chrono::steady_clock::now();
  CliResult run = RunOnce(s, "2026-01-15 00:10:00", {{"USAGED_FAULTS", "fail_unit=1"}});
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(run.exit_code, 1) << run.err;  // the failed unit, not the mail
  EXPECT_LT(elapsed, std::chrono::seconds(20));
  // Three alert groups are pending, but the first timeout ended the round.
  auto alerts = alert::ListAlerts(s.conn());
  ASSERT_EQ(alerts.size(), 3u);
  int attempted = 0;
  for (const auto& a : alerts) {
    EXPECT_FALSE(a.sent_at);
    if (a.send_attempts == 1) {
      ++attempted;
      ASSERT_TRUE(a.last_send_error);
      EXPECT_TRUE(Contains(*a.last_send_error, "imeout") ||
                  Contains(*a.last_send_error, "timed out")) << *a.last_send_error;
    }
  }
  EXPECT_EQ(attempted, 1);

  // Once a server answers, the next delivery sends everything that waited.
  SmtpSink sink;
  s.db().SetConfig("alert.smtp.port", std::to_string(sink.port()));
  CliResult send = RunCli({"--db", s.db().url, "alerts", "send", "--now", "2026-01-15 01:00:00"});
  EXPECT_EQ(send.exit_code, 0) << send.err;
  EXPECT_EQ(sink.WaitForMails(3).size(), 3u);
  EXPECT_EQ(SendStates(s), std::vector<std::string>(3, "sent"));
}

TEST_P(AlertsTest, StartTlsWithAuthenticationVerifiesTheServerAndHidesThePassword) {
  Scenario s(GetParam());
  TempDir certs;
  MakeSelfSignedCertificate(certs.path());
  const std::string password = "s3cret-Pw!";
  SmtpSink sink({"starttls", certs.path() + "/cert.pem", certs.path() + "/key.pem",
                 "usaged:" + password});
  UseMailServer(s.db(), sink.port());
  s.db().SetConfig("alert.smtp.useAuth", "true");
  s.db().SetConfig("alert.smtp.useStartTLS", "true");
  s.db().SetConfig("alert.smtp.username", "usaged");
  alert::RaiseAlert(s.conn(), ParseUtc("2026-03-01 00:00:00"), alert::alert_type::kSanityFinding,
                    "usaged: tls check", "hello over TLS");
  const std::map<std::string, std::string> env = {{"USAGED_ALERT_SMTP_PASSWORD", password}};
  auto send = [&](const std::string& now) {
    return RunCli({"--db", s.db().url, "--log-level", "trace", "alerts", "send", "--now", now},
                  env);
  };

  // The self-signed certificate is refused until its CA file is configured.
  CliResult refused = send("2026-03-01 00:01:00");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(Contains(refused.err, "certificate")) << refused.err;
  EXPECT_FALSE(Contains(refused.err + refused.out, password));
  EXPECT_TRUE(sink.Mails().empty());

  s.db().SetConfig("usage.alert.smtp.cafile", certs.path() + "/cert.pem");
  CliResult sent = send("2026-03-01 00:02:00");
  EXPECT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_FALSE(Contains(sent.err + sent.out, password));
  auto mails = sink.WaitForMails(1);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_TRUE(mails[0].tls);
  EXPECT_EQ(mails[0].auth_user, "usaged");
  EXPECT_EQ(mails[0].Header("Subject"), "usaged: tls check");
  EXPECT_TRUE(Contains(mails[0].Body(), "hello over TLS"));
  for (const auto& a : alert::ListAlerts(s.conn())) {
    EXPECT_FALSE(Contains(a.last_send_error.value_or(""), password));
  }
}

TEST_P(AlertsTest, AuthWithoutStartTlsUsesSmtpsAsCloudStackDoes) {
  Scenario s(GetParam());
  TempDir certs;
  MakeSelfSignedCertificate(certs.path());
  SmtpSink sink({"ssl", certs.path() + "/cert.pem", certs.path() + "/key.pem", "usaged:pw"});
  UseMailServer(s.db(), sink.port());
  s.db().SetConfig("alert.smtp.useAuth", "true");
  s.db().SetConfig("alert.smtp.username", "usaged");
  s.db().SetConfig("alert.smtp.password", "pw");
  s.db().SetConfig("alert.smtp.enabledSecurityProtocols", "TLSv1.2 TLSv1.3");
  s.db().SetConfig("usage.alert.smtp.cafile", certs.path() + "/cert.pem");
  alert::RaiseAlert(s.conn(), ParseUtc("2026-03-01 00:00:00"), alert::alert_type::kSanityFinding,
                    "usaged: smtps check", "hello");
  CliResult sent = RunCli({"--db", s.db().url, "alerts", "send", "--now", "2026-03-01 00:01:00"});
  EXPECT_EQ(sent.exit_code, 0) << sent.err;
  auto mails = sink.WaitForMails(1);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_TRUE(mails[0].tls);
  EXPECT_EQ(mails[0].auth_user, "usaged");

  // The password is never printed back.
  CliResult get = RunCli({"--db", s.db().url, "config", "get", "alert.smtp.password"});
  EXPECT_EQ(get.out, "********\n");
  CliResult list = RunCli({"--db", s.db().url, "config", "list"});
  EXPECT_TRUE(Contains(list.out, "alert.smtp.password = ********")) << list.out;
  CliResult set = RunCli({"--db", s.db().url, "config", "set", "alert.smtp.password", "pw2"});
  if (GetParam() == "mariadb") {
    // CloudStack's own database keeps it encrypted; usaged does not overwrite it.
    EXPECT_EQ(set.exit_code, 2);
    EXPECT_TRUE(Contains(set.err, "USAGED_ALERT_SMTP_PASSWORD")) << set.err;
  } else {
    EXPECT_EQ(set.exit_code, 0) << set.err;
    EXPECT_FALSE(Contains(set.out, "pw2"));
  }
}

TEST_P(AlertsTest, ASanityCheckWithSeveralFindingsSendsOneMailAboutThem) {
  Scenario s(GetParam());
  SmtpSink sink;
  UseMailServer(s.db(), sink.port());
  for (int64_t vm : {7, 8}) {
    s.Vm("VM.CREATE", "2026-01-10 00:00:00", vm);
    s.Vm("VM.START", "2026-01-10 00:00:00", vm);
  }
  ASSERT_TRUE(RunAt(s.conn(), "2026-01-13 00:10:00").ok());
  // Two findings: both VMs' running records of 2026-01-11 are gone.
  s.conn().Run("DELETE FROM ${usage}.cloud_usage WHERE usage_type = 1 AND start_date = ?",
               ParseUtc("2026-01-11 00:00:00"));

  CliResult sanity = RunCli({"--db", s.db().url, "sanity", "--start", "2026-01-10", "--end",
                             "2026-01-13", "--format", "csv", "--now", "2026-01-13 01:00:00"});
  EXPECT_EQ(sanity.exit_code, 1) << sanity.out << sanity.err;
  // A later round mails whatever the check left pending: nothing.
  CliResult send = RunCli({"--db", s.db().url, "alerts", "send", "--now", "2026-01-13 01:01:00"});
  EXPECT_EQ(send.exit_code, 0) << send.out << send.err;

  ASSERT_EQ(sink.WaitForMails(1).size(), 1u) << sanity.err;
  // Both processes have ended, so every mail they sent has been received.
  const auto mails = sink.Mails();
  ASSERT_EQ(mails.size(), 1u) << mails[1].Header("Subject") << "\n" << mails[1].Body();
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usaged_alert"), 1);
  EXPECT_EQ(mails[0].Header("Subject"),
            "usaged: the sanity check found 2 problem(s) in billed records");
  const std::string body = mails[0].Body();
  for (const char* text : {"resource 7", "resource 8", "2026-01-10 00:00:00 to 2026-01-13 "
                           "00:00:00", "usaged regenerate"}) {
    EXPECT_TRUE(Contains(body, text)) << text << " in\n" << body;
  }
  // Findings are not failed units: nothing retries them.
  EXPECT_FALSE(Contains(body, "retried")) << body;
}

TEST_P(AlertsTest, SendWithoutMailSettingsIsAClearError) {
  Scenario s(GetParam());
  alert::RaiseAlert(s.conn(), ParseUtc("2026-03-01 00:00:00"), alert::alert_type::kSanityFinding,
                    "usaged: x", "y");
  CliResult send = RunCli({"--db", s.db().url, "alerts", "send"});
  EXPECT_EQ(send.exit_code, 2);
  EXPECT_TRUE(Contains(send.err, "alert.smtp.host")) << send.err;
  EXPECT_EQ(SendStates(s), std::vector<std::string>{"pending"});
}

INSTANTIATE_TEST_SUITE_P(Engines, AlertsTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
