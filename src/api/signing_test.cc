#include "api/signing.h"

#include <gtest/gtest.h>

namespace usaged::api {
namespace {

// The worked example of CloudStack's API documentation ("Signing API
// Requests"): its keys, its request and the signature it shows.
TEST(Signing, MatchesCloudStacksDocumentedExample) {
  Params params = {{"command", "listUsers"},
                   {"response", "json"},
                   {"apiKey", "plgWJfZK4gyS3mOMTVmjUVg-X-jlWlnfaUJ9GAbBbf9EdM-kAYMmAiLqzzq1ElZLYq_"
                              "u38zCm0bewzGUdP66mg"}};
  EXPECT_EQ(StringToSign(params),
            "apikey=plgwjfzk4gys3momtvmjuvg-x-jlwlnfauj9gabbbf9edm-kaymmailqzzq1elzlyq_u38zcm0bewzg"
            "udp66mg&command=listusers&response=json");
  EXPECT_EQ(Sign("VDaACYb0LV9eNjTetIOElcVQkvJck_J_QljX_FcHRj87ZKiy0z0ty0ZsYBkoXkY9b7eq1EhwJaw7FF3"
                 "akA3KBQ",
                 params),
            "TTpdDq/7j/J58XCRHomKoQXEQds=");
}

TEST(Signing, EncodesValuesAsJavaDoesAndIgnoresTheSignatureItself) {
  Params params = {{"startdate", "2026-01-01"},
                   {"enddate", "2026-01-02 23:59:59"},
                   {"signature", "ignored"},
                   {"command", "listUsageRecords"},
                   {"expires", "2026-01-01T00:00:00+0000"},
                   {"signatureversion", "3"},
                   {"apiKey", "k"},
                   {"command", "second value is ignored"}};
  EXPECT_EQ(StringToSign(params),
            "apikey=k&command=listusagerecords&enddate=2026-01-02%2023%3a59%3a59&expires=2026-01-"
            "01t00%3a00%3a00%2b0000&signatureversion=3&startdate=2026-01-01");
  // Computed independently (Python hmac) from the string above.
  EXPECT_EQ(Sign("SeCrEt", params), "kH5HlWXUP0m0fFcLexKkzkrCrD0=");
  EXPECT_EQ(JavaUrlEncode("a b*~é"), "a%20b*%7E%C3%A9");
}

TEST(Signing, ParsesExpiresInCloudStacksFormats) {
  Instant utc = ParseUtc("2026-03-01 12:00:00");
  EXPECT_EQ(ParseExpires("2026-03-01T12:00:00+0000"), utc);
  EXPECT_EQ(ParseExpires("2026-03-01T12:00:00Z"), utc);
  EXPECT_EQ(ParseExpires("2026-03-01T14:00:00+02:00"), utc);
  EXPECT_EQ(ParseExpires("2026-03-01T07:00:00.250-0500"), utc);
  for (const char* bad : {"", "2026-03-01", "2026-03-01 12:00:00", "2026-03-01T12:00:00",
                          "2026-03-01T12:00:00+2", "2026-13-01T12:00:00Z", "x026-03-01T12:00:00Z",
                          "2026-03-01T12:00:00+0000junk"}) {
    EXPECT_FALSE(ParseExpires(bad).has_value()) << bad;
  }
  EXPECT_TRUE(SameSignature("abc", "abc"));
  EXPECT_FALSE(SameSignature("abc", "abd"));
  EXPECT_FALSE(SameSignature("abc", "ab"));
}

}  // namespace
}  // namespace usaged::api
