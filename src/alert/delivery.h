#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/alert_settings.h"
#include "core/clock.h"
#include "store/connection.h"

namespace usaged::alert {

// What one delivery round did.
struct DeliveryReport {
  int64_t mails_sent = 0;
  int64_t alerts_sent = 0;     // alerts in those mails
  int64_t groups_held = 0;     // (type, subject) groups held back by the rate limit
  int64_t alerts_pending = 0;  // alerts still unsent (held, failed, or not tried) and retryable
  std::optional<std::string> error;  // the send failure that ended the round
};

// Reads the alert settings from cloud.configuration. Throws ConfigError naming
// a key whose value cannot be used.
AlertSettings LoadAlertSettings(store::Connection& conn);

// Mails the unsent alerts, grouped by (type, subject), oldest group first:
// one mail per group carries every alert of the group raised so far. Rate
// limit: a group whose previous mail went out less than
// settings.rate_limit_minutes before `now` is held; its alerts wait and are
// summarised in the group's next mail. The first failed send ends the round
// (a broken server costs one timeout, not one per group): its alerts count an
// attempt and keep the error; after settings.max_send_attempts attempts an
// alert is given up (left unsent, no longer tried). Each group's outcome is
// committed on its own, so a crash never marks an unsent alert sent.
// Requires settings.mail_configured() (ConfigError otherwise).
DeliveryReport DeliverPendingAlerts(store::Connection& conn, const AlertSettings& settings,
                                    Instant now);

// DeliverPendingAlerts after a job: does nothing when mail is not configured,
// logs the outcome, and never throws, so mail can neither fail nor hold up a
// job for longer than one bounded send attempt.
void DeliverAlertsAfterJob(store::Connection& conn, const Clock& clock);

}  // namespace usaged::alert
