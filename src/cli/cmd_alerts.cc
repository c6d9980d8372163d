#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "alert/alert.h"
#include "alert/delivery.h"
#include "cli/app.h"
#include "cli/output.h"

namespace usaged::cli {
namespace {

struct AlertsOptions {
  std::string format = "table";
  NowOption now;
};

// "sent", "pending", or "failed" once delivery gave up on the alert.
std::string_view SendState(const alert::AlertRow& a, int max_attempts) {
  if (a.sent_at) return "sent";
  return a.send_attempts >= max_attempts ? "failed" : "pending";
}

int PrintAlerts(const GlobalOptions& options, Format format) {
  auto db = OpenReady(options);
  const int max_attempts = alert::LoadAlertSettings(*db.conn).max_send_attempts;
  ResultTable table({"id", "type", "subject", "created", "state", "sent_at", "send_attempts",
                     "last_send_error", "content"});
  for (auto a : alert::ListAlerts(*db.conn, 10000)) {
    // One line per alert in the aligned table; JSON and CSV keep the text.
    if (format == Format::kTable) std::replace(a.content.begin(), a.content.end(), '\n', ' ');
    table.Add({a.id, a.type, a.subject, FormatUtc(a.created), std::string(SendState(a, max_attempts)),
               a.sent_at ? nlohmann::ordered_json(FormatUtc(*a.sent_at)) : nlohmann::ordered_json(),
               a.send_attempts,
               a.last_send_error ? nlohmann::ordered_json(*a.last_send_error)
                                 : nlohmann::ordered_json(),
               a.content});
  }
  table.Print(format, std::cout);
  return kExitOk;
}

int SendAlerts(const GlobalOptions& options, const NowOption& now) {
  auto clock = MakeClock(now);
  auto db = OpenReady(options);
  alert::DeliveryReport r =
      alert::DeliverPendingAlerts(*db.conn, alert::LoadAlertSettings(*db.conn), clock->Now());
  std::cout << fmt::format("mails sent {}, alerts sent {}, groups held by the rate limit {}, "
                           "alerts pending {}\n",
                           r.mails_sent, r.alerts_sent, r.groups_held, r.alerts_pending);
  if (r.error) {
    std::cerr << "usaged: " << *r.error << "\n";
    return kExitJobFailed;
  }
  return kExitOk;
}

}  // namespace

void RegisterAlerts(CLI::App& app, const GlobalOptions& options, Action& action) {
  auto opts = std::make_shared<AlertsOptions>();
  auto* cmd = app.add_subcommand("alerts", "List alerts (newest first) with their e-mail state; "
                                           "`alerts send` mails the pending ones");
  cmd->add_option("--format", opts->format, "table, json or csv")->capture_default_str();
  auto* send = cmd->add_subcommand(
      "send", "Mail pending alerts now (rate limit and retry cap apply). Exit status 1 if the "
              "SMTP server refused or did not answer");
  AddNowOption(*send, opts->now,
               "Take this UTC time as the current time (\"YYYY-MM-DD HH:MM:SS\")");
  // Only the parent decides, so `alerts send` never also lists.
  cmd->callback([&options, &action, opts, send] {
    if (send->parsed()) {
      action = [&options, opts] { return SendAlerts(options, opts->now); };
    } else {
      action = [&options, opts] { return PrintAlerts(options, ParseFormat(opts->format)); };
    }
  });
}

}  // namespace usaged::cli
