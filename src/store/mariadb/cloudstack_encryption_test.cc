#include "store/mariadb/cloudstack_encryption.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/crypto.h"
#include "core/error.h"

namespace usaged::store {
namespace {

// Values encrypted by the JDK's own ciphers the way CloudStack writes them:
// "v1" with PBEWithMD5AndDES (salt in front, 1000 iterations), "v2" with
// AES/GCM/NoPadding keyed by SHA-256 of the secret (nonce in front).
struct Vector {
  const char* secret;
  const char* plain;
  const char* v1;
  const char* v2;
};
constexpr Vector kVectors[] = {
    {"managementkey", "cloud", "GWgsiCHWhS93xFSMWVDfbg==",
     "IqQZZO4YVL5JfxaWRr3A9dv7Z8url83LcWZgQr7JmWNF"},
    {"s3cr3t-key", "p@ss:w=rd!", "w61LJ21dk4Y79tkH5AAQzrcy4WEyRhf2",
     "qGFJb3Wk1AM96ncr8laVaLNU2RjjbFQLcbgSs5Sa5YMhhR5n8AU="},
    {"k", "", "y+G+C25o4t5AdFIgxCRZ/A==", "F0f2HomJq3qjj8Lg5CVawDtEvRIiM5frYDhtkg=="},
    {"a-much-longer-secret-key-value-0123456789", "0123456789abcdef",
     "G1SeVeyR7T4fee7ipQPHUKzHV/1o+pUBmVqH2Kmduvw=",
     "fEsIHHDbPmmr5vhqQgdLMye+sk1oTvHHNKzbugSlH6Rcd7dFgDfB+IH4H8U="},
};

TEST(CloudStackEncryptionTest, DecryptsBothOfCloudStacksFormats) {
  for (const Vector& v : kVectors) {
    EXPECT_EQ(DecryptCloudStackValue(v.secret, v.v1), std::optional<std::string>(v.plain))
        << v.secret;
    EXPECT_EQ(DecryptCloudStackValue(v.secret, v.v2), std::optional<std::string>(v.plain))
        << v.secret;
  }
}

TEST(CloudStackEncryptionTest, AWrongKeyOrDamagedValueDoesNotDecrypt) {
  EXPECT_EQ(DecryptCloudStackValue("another-key", kVectors[1].v2), std::nullopt);
  EXPECT_EQ(DecryptCloudStackValue("another-key", kVectors[3].v1), std::nullopt);
  std::string damaged = kVectors[1].v2;
  damaged[10] = damaged[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(DecryptCloudStackValue(kVectors[1].secret, damaged), std::nullopt);
  EXPECT_EQ(DecryptCloudStackValue("k", "not base64!"), std::nullopt);
  EXPECT_EQ(DecryptCloudStackValue("k", "AAAA"), std::nullopt);
}

class SecretFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("usaged-enc-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(SecretFiles, ValuesAreDecryptedWithTheKeyBesideTheProperties) {
  Write("key", "s3cr3t-key\n");
  std::string props_path = Write("db.properties", "");
  std::map<std::string, std::string> props = {
      {"db.cloud.encryption.type", "file"},
      {"db.cloud.password", std::string("ENC(") + kVectors[1].v2 + ")"},
      {"db.usage.password", std::string("ENC(") + kVectors[1].v1 + ")"},
      {"db.cloud.username", "cloud"}};
  DecryptCloudStackProperties(props, props_path, "");
  EXPECT_EQ(props["db.cloud.password"], "p@ss:w=rd!");
  EXPECT_EQ(props["db.usage.password"], "p@ss:w=rd!");
  EXPECT_EQ(props["db.cloud.username"], "cloud");
}

TEST_F(SecretFiles, AGivenKeyFileWinsAndAWrongKeyNamesTheProperty) {
  Write("key", "s3cr3t-key\n");
  std::string other = Write("other-key", "managementkey\n");
  std::string props_path = Write("db.properties", "");
  std::map<std::string, std::string> props = {
      {"db.cloud.encryption.type", "file"},
      {"db.cloud.password", std::string("ENC(") + kVectors[1].v2 + ")"}};
  try {
    DecryptCloudStackProperties(props, props_path, other);
    FAIL() << "a value encrypted with another key decrypted";
  } catch (const InputError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("db.cloud.password does not decrypt"), std::string::npos) << message;
    EXPECT_EQ(message.find(kVectors[1].v2), std::string::npos) << message;
  }
}

TEST_F(SecretFiles, MissingKeysAndUnsupportedTypesAreClearErrors) {
  std::string props_path = Write("db.properties", "");
  EXPECT_THROW(LoadCloudStackSecret("file", props_path, (dir_ / "nope").string()), InputError);
  EXPECT_THROW(LoadCloudStackSecret("web", props_path, ""), InputError);
  ::setenv("CLOUD_SECRET_KEY", "managementkey", 1);
  EXPECT_EQ(LoadCloudStackSecret("env", props_path, ""), "managementkey");
  ::unsetenv("CLOUD_SECRET_KEY");
  EXPECT_THROW(LoadCloudStackSecret("env", props_path, ""), InputError);
  // Without an encryption type nothing is touched.
  std::map<std::string, std::string> plain = {{"db.cloud.password", "ENC(x)"}};
  DecryptCloudStackProperties(plain, props_path, "");
  EXPECT_EQ(plain["db.cloud.password"], "ENC(x)");
}

TEST(Base64Test, RoundTripsAndRejectsWhatIsNotBase64) {
  for (std::string bytes : {std::string(), std::string("f"), std::string("fo"),
                            std::string("foo"), std::string("\0\xff\x10zz", 5)}) {
    EXPECT_EQ(crypto::Base64Decode(crypto::Base64Encode(bytes)), bytes);
  }
  EXPECT_EQ(crypto::Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(crypto::Base64Decode("Zm9v YmE="), std::nullopt);
  EXPECT_EQ(crypto::Base64Decode("Zm9vY"), std::nullopt);
}

}  // namespace
}  // namespace usaged::store
