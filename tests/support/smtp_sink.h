#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "support/test_env.h"

namespace usaged::testing {

// A mail the sink accepted.
struct ReceivedMail {
  std::string mail_from;
  std::vector<std::string> rcpt_tos;
  std::string data;  // the message text as received
  bool tls = false;  // the session was encrypted (SMTPS or STARTTLS)
  std::optional<std::string> auth_user;

  // The value of header `name` (first occurrence), "" if absent.
  std::string Header(const std::string& name) const;
  std::string Body() const;
};

// A real SMTP server (tests/support/smtp_sink.py, aiosmtpd) on 127.0.0.1,
// started by the constructor and killed by the destructor.
class SmtpSink {
 public:
  struct Options {
    std::string mode = "plain";  // plain, starttls or ssl
    std::string cert, key;       // PEM files, for starttls and ssl
    std::string auth;            // "user:password": AUTH required
  };
  explicit SmtpSink(const Options& options);
  SmtpSink() : SmtpSink(Options{}) {}
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  int port() const { return port_; }
  // Mails received so far, in arrival order.
  std::vector<ReceivedMail> Mails() const;
  // Waits (up to 30 s) until at least `n` mails arrived; returns them.
  std::vector<ReceivedMail> WaitForMails(size_t n) const;

 private:
  TempDir dir_;
  pid_t pid_ = 0;
  int port_ = 0;
};

// A TCP port that accepts connections (the kernel completes the handshake)
// but whose server never reads or writes: an SMTP server that hangs.
class SilentServer {
 public:
  SilentServer();
  ~SilentServer();
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A port on 127.0.0.1 held (bound) but not listening, so connections to it
// are refused: an SMTP server that is down.
class RefusingPort {
 public:
  RefusingPort();
  ~RefusingPort();
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Writes a self-signed certificate for "localhost" and 127.0.0.1 (openssl)
// as DIR/cert.pem and DIR/key.pem.
void MakeSelfSignedCertificate(const std::string& dir);

}  // namespace usaged::testing
