// Credentials (ship/credentials.h): from the environment or a shared-credentials file, with hostile
// values refused by where they are — never by showing them.
#include "ship/credentials.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "support/temp_dir.h"

namespace logdaemon::ship {
namespace credentials_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(CredentialsTest, FromTheEnvironment) {
  Result<Credentials> c = CredentialsFromEnvironment(Env({{"AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"},
                                                          {"AWS_SECRET_ACCESS_KEY", "s3cr3t/+x"},
                                                          {"AWS_SESSION_TOKEN", "tok"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIAEXAMPLE");
  EXPECT_EQ(c->secret_access_key, "s3cr3t/+x");
  EXPECT_EQ(c->session_token, "tok");
}

TEST(CredentialsTest, MissingOrHostileEnvironmentSaysWhichVariableAndNeverTheValue) {
  Result<Credentials> none = CredentialsFromEnvironment(Env({}));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), std::string::npos);
  Result<Credentials> bad = CredentialsFromEnvironment(
      Env({{"AWS_ACCESS_KEY_ID", "AKIA"}, {"AWS_SECRET_ACCESS_KEY", "topsecret\nInjected: header"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "AWS_SECRET_ACCESS_KEY has a space, control or non-ASCII character at byte 10");
  EXPECT_EQ(bad.status().message().find("topsecret"), std::string::npos);
  Result<Credentials> id =
      CredentialsFromEnvironment(Env({{"AWS_ACCESS_KEY_ID", "AK:IA"}, {"AWS_SECRET_ACCESS_KEY", "x"}}));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().message(),
            "AWS_ACCESS_KEY_ID has a character other than a letter or digit at byte 3");
  Result<Credentials> empty =
      CredentialsFromEnvironment(Env({{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", "x"}}));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), "AWS_ACCESS_KEY_ID is empty");
}

constexpr std::string_view kFile = R"(# comment
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key = defaultsecret

[profile ci]
aws_access_key_id=AKIACI
aws_secret_access_key=cisecret
aws_session_token = citoken
region = eu-west-1
)";

TEST(CredentialsTest, SharedCredentialsFileByProfile) {
  Result<Credentials> d = ParseCredentialsFile(kFile, "creds", "default");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->access_key_id, "AKIADEFAULT");
  EXPECT_EQ(d->secret_access_key, "defaultsecret");
  EXPECT_EQ(d->session_token, "");
  Result<Credentials> ci = ParseCredentialsFile(kFile, "creds", "ci");
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(ci->access_key_id, "AKIACI");
  EXPECT_EQ(ci->session_token, "citoken");
}

TEST(CredentialsTest, HostileFilesSayFileLineAndKey) {
  auto error = [](std::string_view text, std::string_view profile = "default") {
    Result<Credentials> c = ParseCredentialsFile(text, "/etc/aws", profile);
    return c.ok() ? std::string("(accepted)") : c.status().message();
  };
  EXPECT_EQ(error(kFile, "prod"), "/etc/aws: no [prod] profile (AWS_PROFILE chooses another)");
  EXPECT_EQ(error("[default]\naws_access_key_id = A\n"),
            "/etc/aws: the [default] profile needs aws_access_key_id and aws_secret_access_key");
  EXPECT_EQ(error("[default\n"), "/etc/aws:1: a section header without ']'");
  EXPECT_EQ(error("[default]\njust words\n"), "/etc/aws:2: expected 'key = value' or a [section] header");
  EXPECT_EQ(error("[default]\naws_access_key_id = AKIA\naws_secret_access_key = se cret\n"),
            "/etc/aws:3: aws_secret_access_key has a space, control or non-ASCII character at byte 3");
  EXPECT_EQ(error(std::string("[default]\naws_access_key_id = AK\xff\naws_secret_access_key = s\n")),
            "/etc/aws:2: aws_access_key_id has a space, control or non-ASCII character at byte 3");
  EXPECT_EQ(error(""), "/etc/aws: no [default] profile (AWS_PROFILE chooses another)");
}

TEST(CredentialsTest, FileIsReadWithTheProfileFromTheEnvironmentAndBounded) {
  testing_support::TempDir dir("logdaemon_creds");
  const std::string path = dir.Sub("credentials");
  std::ofstream(path) << kFile;
  Result<Credentials> c = LoadCredentials(path, Env({{"AWS_PROFILE", "ci"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIACI");
  EXPECT_EQ(LoadCredentials(dir.Sub("missing"), Env({})).status().message(),
            dir.Sub("missing") + ": cannot open the credentials file");
  const std::string big = dir.Sub("big");
  std::ofstream(big) << std::string(kMaxCredentialsFileBytes + 10, '#');
  EXPECT_EQ(LoadCredentials(big, Env({})).status().message(),
            big + ": larger than 1 MiB; not a credentials file");
}

}  // namespace
}  // namespace credentials_test
}  // namespace logdaemon::ship
