#include "core/alert_settings.h"

#include <gtest/gtest.h>

#include <map>

#include "core/error.h"

namespace usaged {
namespace {

AlertSettings LoadFrom(const std::map<std::string, std::string>& values) {
  return AlertSettings::Load([&](std::string_view key) -> std::optional<std::string> {
    auto it = values.find(std::string(key));
    if (it == values.end()) return std::nullopt;
    return it->second;
  });
}

TEST(AlertSettingsTest, NothingConfiguredMeansNoMail) {
  AlertSettings s = LoadFrom({});
  EXPECT_FALSE(s.mail_configured());
  EXPECT_EQ(s.port, 465);
  EXPECT_EQ(s.security, SmtpSecurity::kNone);
  EXPECT_EQ(s.rate_limit_minutes, 60);
}

TEST(AlertSettingsTest, SecurityFollowsCloudStacksAuthAndStartTlsKeys) {
  EXPECT_EQ(LoadFrom({{"alert.smtp.useStartTLS", "true"}}).security, SmtpSecurity::kNone);
  EXPECT_EQ(LoadFrom({{"alert.smtp.useAuth", "true"}}).security, SmtpSecurity::kSsl);
  EXPECT_EQ(LoadFrom({{"alert.smtp.useAuth", "true"}, {"alert.smtp.useStartTLS", "true"}})
                .security,
            SmtpSecurity::kStartTls);
  EXPECT_EQ(LoadFrom({{"usage.alert.smtp.security", "starttls"}}).security,
            SmtpSecurity::kStartTls);
}

TEST(AlertSettingsTest, ParsesRecipientsProtocolsAndTimeouts) {
  AlertSettings s = LoadFrom({{"alert.smtp.host", "mail.example.com"},
                              {"alert.email.sender", "usage@example.com"},
                              {"alert.email.addresses", " a@example.com ,b@example.com,"},
                              {"alert.smtp.enabledSecurityProtocols", "TLSv1.3 SSLv3 TLSv1.2"},
                              {"alert.smtp.connectiontimeout", "-1"},
                              {"alert.smtp.timeout", "2500"}});
  EXPECT_TRUE(s.mail_configured());
  EXPECT_EQ(s.recipients, (std::vector<std::string>{"a@example.com", "b@example.com"}));
  EXPECT_EQ(s.min_tls, "1.2");
  EXPECT_EQ(s.max_tls, "1.3");
  EXPECT_EQ(s.connect_timeout_ms, 30000);  // "forever" is bounded
  EXPECT_EQ(s.io_timeout_ms, 2500);
}

TEST(AlertSettingsTest, EmptyValuesMeanDefaultsAsInCloudStack) {
  AlertSettings s = LoadFrom({{"alert.smtp.useAuth", ""}, {"alert.smtp.port", " "},
                              {"alert.smtp.timeout", ""}});
  EXPECT_FALSE(s.use_auth);
  EXPECT_EQ(s.port, 465);
  EXPECT_EQ(s.io_timeout_ms, 30000);
}

TEST(AlertSettingsTest, BadValuesNameTheKey) {
  EXPECT_THROW(LoadFrom({{"alert.smtp.port", "0"}}), ConfigError);
  EXPECT_THROW(LoadFrom({{"alert.email.addresses", "ops@example.com, not-an-address"}}),
               ConfigError);
  EXPECT_THROW(ValidateConfigValue("alert.smtp.enabledSecurityProtocols", "TLSv9"), InputError);
  try {
    ValidateConfigValue("alert.smtp.useAuth", "yes");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("alert.smtp.useAuth"), std::string::npos);
  }
  EXPECT_TRUE(FindConfigKey("alert.smtp.password")->secret);
}

}  // namespace
}  // namespace usaged
