#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "store/connection.h"

namespace usaged::alert {

// Kinds of alert usaged raises (usaged_alert.type).
namespace alert_type {
inline constexpr std::string_view kJobFailed = "USAGE_JOB_FAILED";
inline constexpr std::string_view kUnitFailing = "USAGE_UNIT_FAILING";
inline constexpr std::string_view kEventQuarantined = "USAGE_EVENT_QUARANTINED";
inline constexpr std::string_view kLateEventRefused = "USAGE_LATE_EVENT_REFUSED";
inline constexpr std::string_view kSanityFinding = "USAGE_SANITY_FINDING";
}  // namespace alert_type

// Records an alert in ${usage}.usaged_alert, inside the caller's transaction
// if one is open. Delivery (e-mail) happens later and separately, so raising
// an alert never waits on, or fails because of, a mail server.
void RaiseAlert(store::Connection& conn, Instant now, std::string_view type,
                std::string_view subject, std::string_view content);

// A row of usaged_alert. sent_at is set once the alert went out in a mail
// (alone or summarised with others of its type and subject).
struct AlertRow {
  int64_t id = 0;
  std::string type;
  std::string subject;
  std::string content;
  Instant created{};
  std::optional<Instant> sent_at;
  int send_attempts = 0;
  std::optional<std::string> last_send_error;
};

// Most recent first.
std::vector<AlertRow> ListAlerts(store::Connection& conn, int limit = 1000);

}  // namespace usaged::alert
