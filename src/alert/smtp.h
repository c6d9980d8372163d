#pragma once

#include <string>
#include <vector>

#include "core/alert_settings.h"
#include "core/error.h"
#include "core/time.h"

namespace usaged::alert {

// A plain-text mail.
struct MailMessage {
  std::string sender;
  std::vector<std::string> recipients;
  std::string subject;  // line breaks are flattened to spaces
  std::string body;     // UTF-8; any line-break convention
  Instant date{};
  std::string message_id;  // without angle brackets
};

// The mail as RFC 5322 text: headers (non-ASCII subjects RFC 2047-encoded),
// a blank line and the body, every line ending in CRLF.
std::string FormatMail(const MailMessage& message);

// A mail the SMTP server did not take. The message names the server and the
// reason; it never contains the password.
class MailError : public Error {
 public:
  using Error::Error;
};

// Sends one mail over SMTP with libcurl, secured and authenticated as the
// settings say. Never takes longer than connect_timeout_ms + io_timeout_ms.
// Throws MailError on any failure. Thread-compatible.
void SendMail(const AlertSettings& settings, const MailMessage& message);

}  // namespace usaged::alert
