#pragma once

#include <string_view>

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

}  // namespace usaged::alert
