#include "alert/delivery.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <vector>

#include "alert/smtp.h"
#include "core/error.h"
#include "core/settings.h"
#include "store/configuration.h"

namespace usaged::alert {
namespace {

// Alerts listed in full in one mail; the rest of a large group is counted.
constexpr int kAlertsListedPerMail = 20;

struct Group {
  std::string type;
  std::string subject;
  int64_t count = 0;
  int64_t max_id = 0;
  Instant first{}, last{};
};

struct Listed {
  int64_t id = 0;
  Instant created{};
  std::string content;
};

std::string ThisHost() {
  char name[256] = {0};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

std::vector<Group> PendingGroups(store::Connection& conn, int max_attempts) {
  auto& q = conn.Prepare(
                    "SELECT type, subject, count(*), max(id), min(created), max(created) "
                    "FROM ${usage}.usaged_alert WHERE sent_at IS NULL AND send_attempts < ? "
                    "GROUP BY type, subject ORDER BY min(id)")
                .Bind(max_attempts);
  std::vector<Group> out;
  while (q.Next()) {
    out.push_back({q.Text(0), q.Text(1), q.Int(2), q.Int(3), q.Time(4), q.Time(5)});
  }
  q.Reset();
  return out;
}

std::optional<Instant> LastSent(store::Connection& conn, const Group& g) {
  auto& q = conn.Prepare(
                    "SELECT max(sent_at) FROM ${usage}.usaged_alert WHERE type = ? AND "
                    "subject = ? AND sent_at IS NOT NULL")
                .Bind(g.type, g.subject);
  std::optional<Instant> out;
  if (q.Next()) out = q.OptTime(0);
  q.Reset();
  return out;
}

std::vector<Listed> FirstAlerts(store::Connection& conn, const Group& g, int max_attempts) {
  auto& q = conn.Prepare(
                    "SELECT id, created, content FROM ${usage}.usaged_alert WHERE type = ? AND "
                    "subject = ? AND sent_at IS NULL AND send_attempts < ? AND id <= ? "
                    "ORDER BY id LIMIT ?")
                .Bind(g.type, g.subject, max_attempts, g.max_id, kAlertsListedPerMail);
  std::vector<Listed> out;
  while (q.Next()) out.push_back({q.Int(0), q.Time(1), q.OptText(2).value_or("")});
  q.Reset();
  return out;
}

MailMessage Compose(const AlertSettings& s, const Group& g, const std::vector<Listed>& alerts,
                    Instant now) {
  MailMessage m;
  m.sender = s.sender;
  m.recipients = s.recipients;
  m.date = now;
  const std::string host = ThisHost();
  m.message_id = fmt::format("usaged-alert-{}-{}@{}", alerts.front().id, ToEpochMillis(now), host);
  if (g.count == 1) {
    m.subject = g.subject;
    m.body = fmt::format("{}\n\n-- \nAlert #{} ({}) raised at {} UTC by usaged on {}.\n",
                         alerts.front().content, alerts.front().id, g.type,
                         FormatUtc(alerts.front().created), host);
    return m;
  }
  m.subject = fmt::format("{} ({} alerts)", g.subject, g.count);
  m.body = fmt::format("{} alerts of type {} were raised from {} to {} UTC.\n", g.count, g.type,
                       FormatUtc(g.first), FormatUtc(g.last));
  if (s.rate_limit_minutes > 0) {
    m.body += fmt::format("Mail of one type and subject is sent at most every {} minute(s) "
                          "(usage.alert.rate.limit.minutes).\n", s.rate_limit_minutes);
  }
  for (const Listed& a : alerts) {
    m.body += fmt::format("\n#{} at {} UTC:\n{}\n", a.id, FormatUtc(a.created), a.content);
  }
  if (g.count > static_cast<int64_t>(alerts.size())) {
    m.body += fmt::format("\n... and {} more; `usaged alerts` lists them all.\n",
                          g.count - static_cast<int64_t>(alerts.size()));
  }
  m.body += fmt::format("\n-- \nusaged on {}\n", host);
  return m;
}

// Marks the group's alerts (up to max_id) sent, or counts a failed attempt.
void RecordOutcome(store::Connection& conn, const Group& g, int max_attempts, Instant now,
                   const std::optional<std::string>& error) {
  store::Transaction tx(conn);
  if (!error) {
    conn.Run("UPDATE ${usage}.usaged_alert SET sent_at = ?, send_attempts = send_attempts + 1 "
             "WHERE type = ? AND subject = ? AND sent_at IS NULL AND send_attempts < ? AND id <= ?",
             now, g.type, g.subject, max_attempts, g.max_id);
  } else {
    conn.Run("UPDATE ${usage}.usaged_alert SET send_attempts = send_attempts + 1, "
             "last_send_error = ? WHERE type = ? AND subject = ? AND sent_at IS NULL AND "
             "send_attempts < ? AND id <= ?",
             error->substr(0, 1024), g.type, g.subject, max_attempts, g.max_id);
  }
  tx.Commit();
}

}  // namespace

AlertSettings LoadAlertSettings(store::Connection& conn) {
  store::Configuration config(conn);
  return AlertSettings::Load([&](std::string_view key) -> std::optional<std::string> {
    std::optional<std::string> value = config.Get(key);
    // CloudStack keeps secure values (alert.smtp.password) encrypted.
    const ConfigKey* known = FindConfigKey(key);
    if (value && known && known->secret) {
      if (auto plain = conn.DecryptCloudStackValue(*value)) return plain;
    }
    return value;
  });
}

DeliveryReport DeliverPendingAlerts(store::Connection& conn, const AlertSettings& settings,
                                    Instant now) {
  if (!settings.mail_configured()) {
    throw ConfigError("alert e-mail is not configured: set alert.smtp.host, alert.email.sender "
                      "and alert.email.addresses");
  }
  DeliveryReport report;
  const int max_attempts = settings.max_send_attempts;
  const auto period = std::chrono::minutes(settings.rate_limit_minutes);
  for (const Group& g : PendingGroups(conn, max_attempts)) {
    if (report.error) {
      report.alerts_pending += g.count;
      continue;
    }
    auto last = LastSent(conn, g);
    if (settings.rate_limit_minutes > 0 && last && now < *last + period) {
      ++report.groups_held;
      report.alerts_pending += g.count;
      continue;
    }
    std::vector<Listed> alerts = FirstAlerts(conn, g, max_attempts);
    if (alerts.empty()) continue;
    std::optional<std::string> error;
    try {
      SendMail(settings, Compose(settings, g, alerts, now));
    } catch (const MailError& e) {
      error = e.what();
    }
    RecordOutcome(conn, g, max_attempts, now, error);
    if (error) {
      report.error = error;
      report.alerts_pending += g.count;
    } else {
      ++report.mails_sent;
      report.alerts_sent += g.count;
    }
  }
  return report;
}

void DeliverAlertsAfterJob(store::Connection& conn, const Clock& clock) {
  try {
    AlertSettings settings = LoadAlertSettings(conn);
    if (!settings.mail_configured()) {
      auto pending = conn.QueryInt(
          "SELECT count(*) FROM ${usage}.usaged_alert WHERE sent_at IS NULL");
      if (pending.value_or(0) > 0) {
        spdlog::info("{} alert(s) recorded (`usaged alerts`); alert e-mail is not configured "
                     "(alert.smtp.host, alert.email.sender, alert.email.addresses)", *pending);
      }
      return;
    }
    DeliveryReport r = DeliverPendingAlerts(conn, settings, clock.Now());
    if (r.error) {
      spdlog::warn("alert e-mail: {}; {} alert(s) stay pending and are retried after the next "
                   "job", *r.error, r.alerts_pending);
    } else if (r.mails_sent > 0 || r.groups_held > 0) {
      spdlog::info("alert e-mail: {} mail(s) with {} alert(s) sent; {} group(s) held by the rate "
                   "limit", r.mails_sent, r.alerts_sent, r.groups_held);
    }
  } catch (const std::exception& e) {
    spdlog::warn("alert e-mail skipped: {}", e.what());
  }
}

}  // namespace usaged::alert
