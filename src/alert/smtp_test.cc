#include "alert/smtp.h"

#include <gtest/gtest.h>

namespace usaged::alert {
namespace {

MailMessage Sample() {
  MailMessage m;
  m.sender = "usage@example.com";
  m.recipients = {"ops@example.com", "billing@example.com"};
  m.subject = "usaged: a usage job failed";
  m.body = "line one\nline two\r\nline three";
  m.date = ParseUtc("2026-01-15 00:10:05");
  m.message_id = "usaged-alert-1@host";
  return m;
}

TEST(FormatMailTest, HeadersThenBodyWithCrlfLines) {
  std::string text = FormatMail(Sample());
  EXPECT_EQ(text.find("Date: Thu, 15 Jan 2026 00:10:05 +0000\r\n"), 0u) << text;
  EXPECT_NE(text.find("\r\nTo: ops@example.com, billing@example.com\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\nSubject: usaged: a usage job failed\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\n\r\nline one\r\nline two\r\nline three\r\n"), std::string::npos);
  EXPECT_EQ(text.find("\n\n"), std::string::npos);
}

TEST(FormatMailTest, SubjectCannotInjectHeadersAndNonAsciiIsEncoded) {
  MailMessage m = Sample();
  m.subject = "x\r\nBcc: evil@example.com";
  std::string text = FormatMail(m);
  EXPECT_EQ(text.find("\r\nBcc:"), std::string::npos);
  m.subject = "Zählerstand";
  EXPECT_NE(FormatMail(m).find("Subject: =?UTF-8?B?WsOkaGxlcnN0YW5k?=\r\n"), std::string::npos);
}

}  // namespace
}  // namespace usaged::alert
