// The shipping settings of `serve` (cli/ship_settings.h): defaults, what each flag refuses and how the
// message says it, the checks across settings, and what the uploader is handed.
#include "cli/ship_settings.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "cli/serve_settings.h"

namespace logdaemon::cli {
namespace ship_settings_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

Result<ServeSettings> Parse(std::vector<std::string> args) {
  CLI::App app;
  CLI::App* serve = app.add_subcommand("serve");
  ServeCommandLine command_line(*serve);
  args.insert(args.begin(), "serve");
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::ParseError& error) {
    return Status::InvalidArgument(std::string("CLI11: ").append(error.what()));
  }
  return command_line.Resolve();
}

std::string ErrorOf(std::vector<std::string> args) {
  Result<ServeSettings> settings = Parse(std::move(args));
  return settings.ok() ? "(accepted)" : settings.status().message();
}

TEST(ShipSettingsTest, OffByDefaultWithTheIssuesDefaults) {
  Result<ServeSettings> s = Parse({});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->ship.enabled());
  EXPECT_EQ(s->ship.region, "us-east-1");
  EXPECT_EQ(s->ship.addressing, ship::Addressing::kAuto);
  EXPECT_EQ(s->ship.ship_after, std::chrono::minutes(10));
  EXPECT_EQ(s->ship.local_retention, std::chrono::hours(24));
  EXPECT_EQ(s->ship.multipart_threshold, uint64_t{64} << 20);
  EXPECT_EQ(s->ship.part_size, uint64_t{16} << 20);
}

TEST(ShipSettingsTest, AUrlNeedsABucket) {
  EXPECT_EQ(ErrorOf({"--ship-url", "http://127.0.0.1:9000"}), "--ship-url: needs --ship-bucket");
  EXPECT_EQ(ErrorOf({"--ship-url", "http://127.0.0.1:9000", "--ship-bucket", "logs"}), "(accepted)");
}

TEST(ShipSettingsTest, HostileValuesAreRefusedWithWhatAndWhere) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--ship-url", "ftp://x"}, "--ship-url: expected an http:// or https:// URL, got 'ftp://x'"},
      {{"--ship-url", "http://host/path"},
       "--ship-url: expected http(s)://HOST[:PORT] with nothing after it"},
      {{"--ship-url", "http://host:0"}, "--ship-url: the port must be 1 to 65535, got '0'"},
      {{"--ship-url", "http://host:99999"}, "--ship-url: the port must be 1 to 65535"},
      {{"--ship-url", "http://user:pw@host"}, "--ship-url: "},
      {{"--ship-url", "http://[::1"}, "--ship-url: an IPv6 address without ']'"},
      {{"--ship-url", "http://h:9", "--ship-bucket", "A_B"}, "--ship-bucket: a bucket name is 3 to 63"},
      {{"--ship-url", "http://h:9", "--ship-bucket", "ab"}, "--ship-bucket: a bucket name is 3 to 63"},
      {{"--ship-url", "http://h:9", "--ship-bucket", "-abc"}, "--ship-bucket: a bucket name is 3 to 63"},
      {{"--ship-prefix", "/abs"}, "--ship-prefix: expected segments joined by '/' with none empty"},
      {{"--ship-prefix", "a//b"}, "--ship-prefix: expected segments joined by '/' with none empty"},
      {{"--ship-prefix", "a/../b"}, "--ship-prefix: expected segments joined by '/' with none empty"},
      {{"--ship-prefix", "a b"}, "--ship-prefix: expected only letters, digits"},
      {{"--ship-prefix", "a?b"}, "--ship-prefix: expected only letters, digits"},
      {{"--ship-prefix", std::string(600, 'a')}, "--ship-prefix: a prefix of at most 512 bytes"},
      {{"--ship-host", "web/1"}, "--ship-host: expected 1 to 253 letters, digits"},
      {{"--ship-host", ".."}, "--ship-host: expected 1 to 253 letters, digits"},
      {{"--ship-host", "a\x01z"},
       "--ship-host: expected 1 to 253 letters, digits, '.', '_' or '-', got 'a\\x01z'"},
      {{"--ship-region", "eu west"}, "--ship-region: expected a region such as eu-west-1"},
      {{"--ship-addressing", "dns"}, "--ship-addressing: expected auto, path or virtual, got 'dns'"},
      {{"--ship-after", "off"}, "--ship-after: expected a duration such as 10m"},
      {{"--ship-after", "soon"}, "--ship-after: "},
      {{"--local-retention", "-1d"}, "--local-retention: "},
      {{"--ship-part-size", "100"}, "--ship-part-size: must be between 1KiB and 5GiB, got '100'"},
      {{"--ship-part-size", "6GiB"}, "--ship-part-size: must be between 1KiB and 5GiB"},
      {{"--ship-multipart-threshold", "12XB"}, "--ship-multipart-threshold: expected a number of bytes"},
      {{"--ship-multipart-threshold", "99999999999999999999"}, "--ship-multipart-threshold: "},
  };
  for (const auto& [args, want] : cases) {
    std::string got = ErrorOf(args);
    EXPECT_EQ(got.rfind(want, 0), 0u)
        << args[0] << " " << args[1] << ": got '" << got << "', want it to start '" << want << "'";
  }
}

TEST(ShipSettingsTest, TheUploaderGetsTheFullSizeAndCompactionFromTheStorageSettings) {
  Result<ServeSettings> s = Parse({"--ship-url", "http://127.0.0.1:9000", "--ship-bucket", "logs",
                                   "--rotation-mb", "200", "--no-compaction"});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Result<ship::ShipOptions> options = ShipOptionsFor(*s);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->full_bytes, (uint64_t{200} << 20) / 20 * 17);
  EXPECT_FALSE(options->compaction);
  EXPECT_FALSE(options->host.empty());  // this machine's name
}

}  // namespace
}  // namespace ship_settings_test
}  // namespace logdaemon::cli
