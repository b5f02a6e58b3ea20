// `logdaemon serve` settings: the defaults of the specification, every flag and config key, the values that
// are refused (with the flag, or the key with FILE:LINE:COLUMN, in the message), precedence of flags over
// the config file, and hostile config files (errors, never a crash). The documentation and the example
// config must name every setting.
#include "cli/serve_settings.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace logdaemon::cli {
namespace serve_settings_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

namespace fs = std::filesystem;

// The project's root (tests/CMakeLists.txt defines it).
fs::path SourceRoot() {
  return fs::path(LOGDAEMON_SOURCE_DIR);
}

// Appends (GCC 12 gives a false -Wrestrict on `"literal" + std::string`).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out += part;
  return out;
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Parses `logdaemon serve ARGS...` the way main.cc does, then resolves the settings. CLI11's own errors
// (an unknown flag, a missing value) come back as InvalidArgument("CLI11: …").
Result<ServeSettings> Parse(std::vector<std::string> args) {
  CLI::App app;
  CLI::App* serve = app.add_subcommand("serve");
  ServeCommandLine command_line(*serve);
  args.insert(args.begin(), "serve");
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& error) {
    return Status::InvalidArgument(std::string("CLI11: ").append(error.what()));
  }
  return command_line.Resolve();
}

std::string ErrorOf(const std::vector<std::string>& args) {
  Result<ServeSettings> settings = Parse(args);
  if (settings.ok()) return "(accepted)";
  return settings.status().message();
}

Result<ServeSettings> FromToml(std::string_view text) {
  ServeSettings settings;
  Status st = ApplyConfigText(text, "test.toml", &settings);
  if (!st.ok()) return st;
  return settings;
}

std::string TomlErrorOf(std::string_view text) {
  Result<ServeSettings> settings = FromToml(text);
  if (settings.ok()) return "(accepted)";
  return settings.status().message();
}

#define EXPECT_CONTAINS(haystack, needle)                                                     \
  do {                                                                                        \
    const std::string haystack_value = (haystack);                                            \
    EXPECT_NE(haystack_value.find(needle), std::string::npos)                                 \
        << "'" << haystack_value.substr(0, 500) << "' does not contain '" << (needle) << "'"; \
  } while (0)

// A temporary directory for config files, removed with everything in it.
class ServeConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "serve_settings_test.XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string Write(const std::string& name, std::string_view text) {
    fs::path path = dir_ / name;
    std::ofstream out(path, std::ios::binary);
    out << text;
    return path.string();
  }
  fs::path dir_;
};

// ---- Defaults ---------------------------------------------------------------------------------------------

TEST(ServeSettingsTest, DefaultsAreTheSpecifications) {
  Result<ServeSettings> parsed = Parse({});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const ServeSettings& s = *parsed;
  // The original specification's flags.
  EXPECT_EQ(s.socket, "/tmp/logdaemon.sock");
  EXPECT_EQ(s.storage, "./logs");
  EXPECT_EQ(s.schema, "");  // the built-in schema
  EXPECT_EQ(s.batch_size, 1000u);
  EXPECT_EQ(s.compression, Compression::kSnappy);
  EXPECT_EQ(s.max_connections, 1000u);
  EXPECT_EQ(s.rotation_mb, 100u);
  EXPECT_EQ(s.flush_interval, std::chrono::seconds(5));
  // Issue #5's.
  EXPECT_EQ(s.io_threads, 0u) << "unset: resolved at start";
  EXPECT_EQ(ResolveIoThreads(s.ToServerOptions()),
            std::min<size_t>(14, std::max(1u, std::thread::hardware_concurrency())))
      << "one per core, as many as the 16 MiB ingest quarter holds";
  EXPECT_EQ(s.io_backend, IoBackend::kAuto);
  EXPECT_EQ(s.memory_limit, size_t{64} << 20);
  EXPECT_EQ(s.queue_capacity, 10000u);
  EXPECT_EQ(s.overflow, OverflowPolicy::kDrop);
  // Issue #12's: durable acknowledgements by default.
  EXPECT_EQ(s.ack, AckMode::kDurable);
  EXPECT_EQ(s.wal_segment_mb, 32u);
  EXPECT_EQ(s.wal_max_mb, 1024u);
  EXPECT_EQ(s.file_mode, 0640u);
  EXPECT_EQ(s.max_message_bytes, 1048576u);
  EXPECT_EQ(s.idle_timeout, std::chrono::seconds(300));
  ASSERT_TRUE(s.http_address.has_value());
  EXPECT_EQ(HttpAddressText(s.http_address), "127.0.0.1:9100");
  EXPECT_EQ(s.socket_mode, 0660u);
  EXPECT_EQ(s.socket_group, "");
  EXPECT_EQ(s.log_level, LogLevel::kInfo);
  // The storage engine's.
  EXPECT_EQ(s.compression_level, 0);
  EXPECT_EQ(s.partition, Partitioning::kDay);
  EXPECT_EQ(s.retention_days, 0);
  EXPECT_EQ(s.retention_mb, 0u);
  EXPECT_FALSE(s.parquet_compat);
  EXPECT_TRUE(s.compaction);
  EXPECT_TRUE(s.schema_paths.empty());
  EXPECT_EQ(s.time_field, "timestamp");
  EXPECT_FALSE(s.time_field_explicit);
  EXPECT_EQ(s.config_file, "");
  // Issue #12's window (DESIGN.md §4): 30 days back without a retention, an hour ahead.
  EXPECT_FALSE(s.max_age_given);
  EXPECT_EQ(s.EffectiveMaxAge(), std::chrono::seconds(30 * 86'400));
  EXPECT_EQ(s.max_future, std::chrono::seconds(3'600));
  EXPECT_EQ(s.max_open_partitions, 64u);
}

TEST(ServeSettingsTest, MaxAgeDefaultsToTheRetention) {
  Result<ServeSettings> parsed = Parse({"--retention-days", "7"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->EffectiveMaxAge(), std::chrono::seconds(7 * 86'400));
  EXPECT_EQ(parsed->ToStorageOptions().max_age, std::chrono::seconds(7 * 86'400));
  // Given, it wins over the retention, whichever comes first.
  parsed = Parse({"--max-age", "2d", "--retention-days", "7"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->EffectiveMaxAge(), std::chrono::seconds(2 * 86'400));
  parsed = Parse({"--retention-days", "7", "--max-age", "off"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->EffectiveMaxAge(), std::nullopt);
  EXPECT_EQ(parsed->ToStorageOptions().max_age, std::nullopt);
}

TEST(ServeSettingsTest, TimeLimitSpellings) {
  auto limit = [](std::string_view text) {
    Result<std::optional<std::chrono::seconds>> parsed = ParseTimeLimit(text);
    EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
    return parsed.ok() ? *parsed : std::optional<std::chrono::seconds>(std::chrono::seconds(-1));
  };
  EXPECT_EQ(limit("off"), std::nullopt);
  EXPECT_EQ(limit("OFF"), std::nullopt);
  EXPECT_EQ(limit("30d"), std::chrono::seconds(30 * 86'400));
  EXPECT_EQ(limit("12h"), std::chrono::seconds(12 * 3'600));
  EXPECT_EQ(limit("90m"), std::chrono::seconds(90 * 60));
  EXPECT_EQ(limit("3600s"), std::chrono::seconds(3'600));
  EXPECT_EQ(limit("3600"), std::chrono::seconds(3'600));                       // no unit: seconds
  EXPECT_EQ(limit("36500d"), std::chrono::seconds(int64_t{36'500} * 86'400));  // the largest
  EXPECT_EQ(TimeLimitText(std::nullopt), "off");
  EXPECT_EQ(TimeLimitText(std::chrono::seconds(30 * 86'400)), "30d");
  EXPECT_EQ(TimeLimitText(std::chrono::seconds(3'600)), "1h");
  EXPECT_EQ(TimeLimitText(std::chrono::seconds(5'400)), "90m");
  EXPECT_EQ(TimeLimitText(std::chrono::seconds(61)), "61s");
}

TEST(ServeSettingsTest, DefaultsMapToTheLibrarysDefaultOptions) {
  ServeSettings s;
  StorageOptions storage = s.ToStorageOptions();
  StorageOptions library;
  EXPECT_EQ(storage.directory, "./logs");
  EXPECT_EQ(storage.compression, library.compression);
  EXPECT_EQ(storage.compression_level, library.compression_level);
  EXPECT_EQ(storage.batch_size, library.batch_size);
  EXPECT_EQ(storage.flush_interval, library.flush_interval);
  EXPECT_EQ(storage.rotation_bytes, library.rotation_bytes);
  EXPECT_EQ(storage.merge_min_files, library.merge_min_files);
  EXPECT_EQ(storage.compaction, library.compaction);
  EXPECT_EQ(storage.queue_capacity, library.queue_capacity);
  EXPECT_EQ(storage.overflow, library.overflow);
  EXPECT_EQ(storage.partitioning, library.partitioning);
  EXPECT_EQ(storage.retention_days, library.retention_days);
  EXPECT_EQ(storage.retention_bytes, library.retention_bytes);
  EXPECT_EQ(storage.parquet_compat, library.parquet_compat);
  EXPECT_EQ(storage.wal_segment_bytes, library.wal_segment_bytes);
  EXPECT_EQ(storage.file_mode, library.file_mode);
  EXPECT_EQ(storage.max_open_partitions, library.max_open_partitions);
  // The library has no time window unless asked for one (embedding needs no clock assumptions); the
  // daemon refuses logs older than 30 days or more than an hour ahead.
  EXPECT_EQ(library.max_age, std::nullopt);
  EXPECT_EQ(library.max_future, std::nullopt);
  EXPECT_EQ(storage.max_age, std::chrono::seconds(30 * 86'400));
  EXPECT_EQ(storage.max_future, std::chrono::seconds(3'600));
  // The other default that differs on purpose: the daemon acknowledges durably; the library (and
  // `import`, whose input file is the durable copy) in memory.
  EXPECT_EQ(storage.ack, AckMode::kDurable);
  EXPECT_EQ(library.ack, AckMode::kMemory);

  ServerOptions server = s.ToServerOptions();
  ServerOptions server_library;
  EXPECT_EQ(server.socket_path, server_library.socket_path);
  EXPECT_EQ(server.socket_mode, server_library.socket_mode);
  EXPECT_EQ(server.socket_group, server_library.socket_group);
  EXPECT_EQ(server.max_connections, server_library.max_connections);
  EXPECT_EQ(server.max_message_bytes, server_library.max_message_bytes);
  EXPECT_EQ(server.idle_timeout, server_library.idle_timeout);
  EXPECT_EQ(server.io_threads, server_library.io_threads) << "0: resolved by the server (ResolveIoThreads)";
  EXPECT_EQ(server.io_backend, server_library.io_backend);

  SchemaOptions schema = s.ToSchemaOptions();
  EXPECT_EQ(schema.time_field, "timestamp");
  EXPECT_FALSE(schema.time_field_explicit);
}

// ---- Every flag -------------------------------------------------------------------------------------------

TEST(ServeSettingsTest, EveryFlagParses) {
  Result<ServeSettings> parsed = Parse({"--ship-url",
                                        "http://127.0.0.1:9000",
                                        "--ship-bucket",
                                        "fleet-logs",
                                        "--ship-prefix",
                                        "prod/logs",
                                        "--ship-region",
                                        "eu-west-1",
                                        "--ship-addressing",
                                        "path",
                                        "--ship-host",
                                        "web-1",
                                        "--ship-credentials-file",
                                        "/etc/logdaemon/aws",
                                        "--ship-after",
                                        "5m",
                                        "--local-retention",
                                        "2d",
                                        "--ship-multipart-threshold",
                                        "8MiB",
                                        "--ship-part-size",
                                        "5MiB",
                                        "--socket",
                                        "/run/x.sock",
                                        "--socket-mode",
                                        "0600",
                                        "--socket-group",
                                        "0",
                                        "--max-connections",
                                        "20",
                                        "--max-message-bytes",
                                        "64KiB",
                                        "--idle-timeout",
                                        "30",
                                        "--io-threads",
                                        "3",
                                        "--io-backend",
                                        "epoll",
                                        "--schema",
                                        "/etc/s.json",
                                        "--schema-path",
                                        "/a",
                                        "--schema-path",
                                        "https://example.com/=/b",
                                        "--time-field",
                                        "ts",
                                        "--storage",
                                        "/var/logs",
                                        "--batch-size",
                                        "5000",
                                        "--compression",
                                        "zstd",
                                        "--compression-level",
                                        "19",
                                        "--flush-interval",
                                        "10",
                                        "--rotation-mb",
                                        "500",
                                        "--merge-min-files",
                                        "8",
                                        "--queue-capacity",
                                        "20000",
                                        "--overflow",
                                        "block",
                                        "--ack",
                                        "memory",
                                        "--wal-segment-mb",
                                        "8",
                                        "--wal-max-mb",
                                        "64",
                                        "--file-mode",
                                        "0600",
                                        "--partition",
                                        "hour",
                                        "--retention-days",
                                        "30",
                                        "--retention-mb",
                                        "2048",
                                        "--max-age",
                                        "12h",
                                        "--max-future",
                                        "off",
                                        "--max-open-partitions",
                                        "8",
                                        "--parquet-compat",
                                        "--no-compaction",
                                        "--metrics-addr",
                                        "[::1]:9200",
                                        "--log-level",
                                        "debug"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const ServeSettings& s = *parsed;
  EXPECT_EQ(s.socket, "/run/x.sock");
  EXPECT_EQ(s.socket_mode, 0600u);
  EXPECT_EQ(s.socket_group, "0");
  EXPECT_EQ(s.max_connections, 20u);
  EXPECT_EQ(s.max_message_bytes, 65536u);
  EXPECT_EQ(s.idle_timeout, std::chrono::seconds(30));
  EXPECT_EQ(s.io_threads, 3u);
  EXPECT_EQ(s.io_backend, IoBackend::kEpoll);
  EXPECT_EQ(s.schema, "/etc/s.json");
  EXPECT_EQ(s.schema_paths, (std::vector<std::string>{"/a", "https://example.com/=/b"}));
  EXPECT_EQ(s.time_field, "ts");
  EXPECT_TRUE(s.time_field_explicit);
  EXPECT_EQ(s.storage, "/var/logs");
  EXPECT_EQ(s.batch_size, 5000u);
  EXPECT_EQ(s.compression, Compression::kZstd);
  EXPECT_EQ(s.compression_level, 19);
  EXPECT_EQ(s.ship.url, "http://127.0.0.1:9000");
  EXPECT_EQ(s.ship.bucket, "fleet-logs");
  EXPECT_EQ(s.ship.prefix, "prod/logs");
  EXPECT_EQ(s.ship.region, "eu-west-1");
  EXPECT_EQ(s.ship.addressing, ship::Addressing::kPath);
  EXPECT_EQ(s.ship.host, "web-1");
  EXPECT_EQ(s.ship.credentials_file, "/etc/logdaemon/aws");
  EXPECT_EQ(s.ship.ship_after, std::chrono::minutes(5));
  EXPECT_EQ(s.ship.local_retention, std::chrono::hours(48));
  EXPECT_EQ(s.ship.multipart_threshold, uint64_t{8} << 20);
  EXPECT_EQ(s.ship.part_size, uint64_t{5} << 20);
  EXPECT_EQ(s.flush_interval, std::chrono::seconds(10));
  EXPECT_EQ(s.rotation_mb, 500u);
  EXPECT_EQ(s.merge_min_files, 8u);
  EXPECT_EQ(s.queue_capacity, 20000u);
  EXPECT_EQ(s.overflow, OverflowPolicy::kBlock);
  EXPECT_EQ(s.ack, AckMode::kMemory);
  EXPECT_EQ(s.wal_segment_mb, 8u);
  EXPECT_EQ(s.wal_max_mb, 64u);
  EXPECT_EQ(s.file_mode, 0600u);
  EXPECT_EQ(s.partition, Partitioning::kHour);
  EXPECT_EQ(s.retention_days, 30);
  EXPECT_EQ(s.retention_mb, 2048u);
  EXPECT_EQ(s.EffectiveMaxAge(), std::chrono::seconds(12 * 3'600));
  EXPECT_EQ(s.max_future, std::nullopt);
  EXPECT_EQ(s.max_open_partitions, 8u);
  EXPECT_TRUE(s.parquet_compat);
  EXPECT_FALSE(s.compaction);
  EXPECT_EQ(HttpAddressText(s.http_address), "[::1]:9200");
  EXPECT_EQ(s.log_level, LogLevel::kDebug);

  StorageOptions storage = s.ToStorageOptions();
  EXPECT_EQ(storage.rotation_bytes, uint64_t{500} << 20);
  EXPECT_EQ(storage.merge_min_files, 8u);
  EXPECT_EQ(storage.retention_bytes, uint64_t{2048} << 20);
  EXPECT_EQ(storage.flush_interval, std::chrono::milliseconds(10'000));
  EXPECT_FALSE(storage.compaction);
  EXPECT_EQ(storage.max_age, std::chrono::seconds(12 * 3'600));
  EXPECT_EQ(storage.max_future, std::nullopt);
  EXPECT_EQ(storage.max_open_partitions, 8u);
  ServerOptions server = s.ToServerOptions();
  EXPECT_EQ(server.idle_timeout, std::chrono::milliseconds(30'000));
  EXPECT_EQ(server.socket_mode, 0600u);
}

TEST(ServeSettingsTest, ShortFlagsOfTheOriginalSpecification) {
  Result<ServeSettings> parsed = Parse(
      {"-s", "/tmp/a.sock", "-d", "/tmp/logs", "-b", "7", "-c", "gzip", "-m", "9", "-r", "3", "-f", "2"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->socket, "/tmp/a.sock");
  EXPECT_EQ(parsed->storage, "/tmp/logs");
  EXPECT_EQ(parsed->batch_size, 7u);
  EXPECT_EQ(parsed->compression, Compression::kGzip);
  EXPECT_EQ(parsed->max_connections, 9u);
  EXPECT_EQ(parsed->rotation_mb, 3u);
  EXPECT_EQ(parsed->flush_interval, std::chrono::seconds(2));
}

TEST(ServeSettingsTest, OtherSpellingsOfValues) {
  auto settings = [](std::vector<std::string> args) {
    Result<ServeSettings> parsed = Parse(std::move(args));
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return parsed.ok() ? *parsed : ServeSettings{};
  };
  EXPECT_EQ(settings({"--batch-size=42"}).batch_size, 42u);
  EXPECT_EQ(settings({"--batch-size", "+42"}).batch_size, 42u);
  EXPECT_EQ(settings({"--batch-size", "1", "--batch-size", "2"}).batch_size, 2u);  // the last one wins
  EXPECT_EQ(settings({"--max-message-bytes", "1048576"}).max_message_bytes, 1048576u);
  EXPECT_EQ(settings({"--max-message-bytes", "100B"}).max_message_bytes, 100u);
  EXPECT_EQ(settings({"--max-message-bytes", "2M"}).max_message_bytes, 2u << 20);
  // The largest frames need a memory budget that holds one per io thread.
  EXPECT_EQ(settings({"--max-message-bytes", "1gib", "--memory-limit", "1024GiB"}).max_message_bytes,
            1u << 30);
  EXPECT_EQ(settings({"--max-message-bytes", "1GiB", "--memory-limit", "1024G"}).max_message_bytes, 1u << 30);
  EXPECT_EQ(
      settings({"--memory-limit", "1MiB", "--max-message-bytes", "64KiB", "--io-threads", "1"}).memory_limit,
      1u << 20);
  EXPECT_EQ(settings({"--socket-mode", "600"}).socket_mode, 0600u);
  EXPECT_EQ(settings({"--socket-mode", "0o640"}).socket_mode, 0640u);
  EXPECT_EQ(settings({"--socket-mode", "0"}).socket_mode, 0u);
  EXPECT_EQ(settings({"--socket-mode", "0777"}).socket_mode, 0777u);
  EXPECT_FALSE(settings({"--metrics-addr", "off"}).http_address.has_value());
  EXPECT_EQ(HttpAddressText(settings({"--metrics-addr", ":9100"}).http_address), ":9100");
  EXPECT_EQ(HttpAddressText(settings({"--metrics-addr", "localhost:0"}).http_address), "localhost:0");
  EXPECT_FALSE(settings({"--parquet-compat=false"}).parquet_compat);
  EXPECT_TRUE(settings({"--compaction"}).compaction);
  EXPECT_FALSE(settings({"--compaction=false"}).compaction);
  EXPECT_EQ(settings({"--compression", "lz4"}).compression, Compression::kLz4);
  EXPECT_EQ(settings({"--compression", "none"}).compression, Compression::kNone);
  EXPECT_EQ(settings({"--compression", "gzip", "--compression-level", "9"}).compression_level, 9);
  EXPECT_EQ(settings({"--partition", "none"}).partition, Partitioning::kNone);
  EXPECT_EQ(settings({"--io-threads", "1024", "--memory-limit", "8GiB"}).io_threads, 1024u);
  EXPECT_EQ(settings({"--io-backend", "uring"}).io_backend, IoBackend::kUring);
  EXPECT_EQ(settings({"--log-level", "off"}).log_level, LogLevel::kOff);
  EXPECT_EQ(settings({"--log-level", "critical"}).log_level, LogLevel::kCritical);
  EXPECT_EQ(settings({"--socket-group", "root"}).socket_group, "root");
  EXPECT_EQ(settings({"--socket", std::string(107, 'x')}).socket, std::string(107, 'x'));
  EXPECT_EQ(settings({"--schema", ""}).schema, "");
}

// ---- Refused values ---------------------------------------------------------------------------------------

struct BadFlag {
  std::vector<std::string> args;
  std::string message;  // a part of the expected message
};

TEST(ServeSettingsTest, BadValuesAreRefusedNamingTheFlag) {
  const std::vector<BadFlag> cases = {
      {{"--batch-size", "0"}, "--batch-size: must be between 1 and 100000000, got '0'"},
      {{"--batch-size", "-5"}, "--batch-size: must be between 1 and"},
      {{"--batch-size=-5"}, "--batch-size: must be between 1 and"},
      {{"-b", "-5"}, "--batch-size: must be between 1 and"},
      {{"--batch-size", "abc"}, "--batch-size: expected a whole number, got 'abc'"},
      {{"--batch-size", ""}, "--batch-size: expected a whole number"},
      {{"--batch-size", "1.5"}, "--batch-size: expected a whole number"},
      {{"--batch-size", "12abc"}, "--batch-size: expected a whole number"},
      {{"--batch-size", "+-5"}, "--batch-size: expected a whole number"},
      {{"--batch-size", "99999999999999999999999"}, "--batch-size: must be between"},
      {{"--batch-size", "100000001"}, "--batch-size: must be between"},
      {{"--compression", "lzma"}, "--compression: expected snappy, zstd, gzip, lz4 or none, got 'lzma'"},
      {{"-c", "SNAPPY2"}, "--compression:"},
      {{"--flush-interval", "0"}, "--flush-interval: must be between 1 and 86400"},
      {{"-f", "-1"}, "--flush-interval: must be between"},
      {{"--rotation-mb", "0"}, "--rotation-mb: must be between 1 and"},
      {{"--merge-min-files", "1"}, "--merge-min-files: must be between 2 and 256"},
      {{"--merge-min-files", "257"}, "--merge-min-files: must be between 2 and 256"},
      {{"--max-connections", "0"}, "--max-connections: must be between 1 and"},
      {{"--io-threads", "0"}, "--io-threads: must be between 1 and 1024"},
      {{"--memory-limit", "1000KiB"}, "--memory-limit: must be between 1048576 and 1099511627776 bytes"},
      {{"--memory-limit", "-1"}, "--memory-limit: must be between"},
      {{"--io-threads", "1025"}, "--io-threads: must be between 1 and 1024"},
      {{"--io-backend", "kqueue"}, "--io-backend: expected auto, uring or epoll, got 'kqueue'"},
      {{"--queue-capacity", "0"}, "--queue-capacity: must be between 1 and"},
      {{"--overflow", "wait"}, "--overflow: expected drop or block"},
      {{"--ack", "fsync"}, "--ack: expected durable or memory, got 'fsync'"},
      {{"--ack", ""}, "--ack: expected durable or memory"},
      {{"--wal-segment-mb", "0"}, "--wal-segment-mb: must be between 1 and 1024"},
      {{"--file-mode", "0440"}, "--file-mode: must let the owner read and write (include 0600), got '0440'"},
      {{"--file-mode", "01640"}, "--file-mode: must be at most 0777"},
      {{"--file-mode", "rw-r-----"}, "--file-mode: expected an octal mode"},
      {{"--wal-segment-mb", "1025"}, "--wal-segment-mb: must be between 1 and 1024"},
      {{"--wal-max-mb", "3"}, "--wal-max-mb: must be between 4 and 1073741824"},
      {{"--wal-segment-mb", "64", "--wal-max-mb", "128"},
       "wal-max-mb: must be at least 4 segments (4 x --wal-segment-mb = 256), got 128"},
      {{"--max-message-bytes", "0"}, "--max-message-bytes: must be between 1 and 1073741824 bytes"},
      {{"--max-message-bytes", "0KiB"}, "--max-message-bytes: must be between 1 and"},
      {{"--max-message-bytes", "1073741825"}, "--max-message-bytes: must be between 1 and 1073741824"},
      {{"--max-message-bytes", "2GiB"}, "--max-message-bytes: must be between"},
      {{"--max-message-bytes", "1025MiB"}, "--max-message-bytes: must be between"},
      {{"--max-message-bytes", "-1"}, "--max-message-bytes: must be between"},
      {{"--max-message-bytes", "99999999999999999999999KiB"}, "--max-message-bytes: must be between"},
      {{"--max-message-bytes", "1MB"},
       "--max-message-bytes: expected a number of bytes, optionally with a unit"},
      {{"--max-message-bytes", "lots"}, "--max-message-bytes: expected a number of bytes"},
      {{"--max-message-bytes", "KiB"}, "--max-message-bytes: expected a number of bytes"},
      {{"--idle-timeout", "0"}, "--idle-timeout: must be between 1 and"},
      {{"--metrics-addr", "nonsense"}, "--metrics-addr: 'nonsense'"},
      {{"--metrics-addr", "127.0.0.1:99999"}, "--metrics-addr:"},
      {{"--metrics-addr", "example.com:9100"}, "--metrics-addr:"},
      {{"--metrics-addr", ""}, "--metrics-addr:"},
      {{"--metrics-addr", std::string(100000, 'x')}, "--metrics-addr: expected HOST:PORT or off"},
      {{"--socket-mode", "999"}, "--socket-mode: expected an octal mode such as 0660, got '999'"},
      {{"--socket-mode", "abc"}, "--socket-mode: expected an octal mode"},
      {{"--socket-mode", ""}, "--socket-mode: expected an octal mode"},
      {{"--socket-mode", "1777"}, "--socket-mode: must be at most 0777"},
      {{"--socket-mode", "77777777777777777777"}, "--socket-mode: expected an octal mode"},
      {{"--socket-group", "no-such-group-logdaemon-test"}, "--socket-group: no such group"},
      {{"--socket-group", "-5"}, "--socket-group: must be between 0 and"},
      {{"--socket-group", "4294967295"}, "--socket-group: must be between 0 and"},
      {{"--log-level", "verbose"}, "--log-level: expected trace, debug, info, warn, error, critical or off"},
      {{"--log-level", "warning"}, "--log-level:"},
      {{"--socket", std::string(108, 'x')}, "--socket: a Unix socket path is at most 107 bytes, got 108"},
      {{"--socket", std::string(1 << 20, 'x')}, "--socket: a Unix socket path is at most 107 bytes"},
      {{"--socket", ""}, "--socket: must not be empty"},
      {{"--storage", ""}, "--storage: must not be empty"},
      {{"--time-field", ""}, "--time-field: must not be empty"},
      {{"--schema-path", ""}, "--schema-path: must not be empty"},
      {{"--partition", "week"}, "--partition: expected day, hour or none"},
      {{"--retention-days", "-1"}, "--retention-days: must be between 0 and"},
      {{"--retention-mb", "-1"}, "--retention-mb: must be between 0 and"},
      {{"--max-age", "0"}, "--max-age: must be at least 1s (off turns the limit off), got '0'"},
      {{"--max-age", "0d"}, "--max-age: must be at least 1s"},
      {{"--max-age", "-1d"},
       "--max-age: expected a duration such as 30d, 12h, 90m or 3600s, or off, got '-1d'"},
      {{"--max-age", "30 days"}, "--max-age: expected a duration such as"},
      {{"--max-age", "1w"}, "--max-age: expected a duration such as"},
      {{"--max-age", "1.5h"}, "--max-age: expected a duration such as"},
      {{"--max-age", ""}, "--max-age: expected a duration such as"},
      {{"--max-age", "d"}, "--max-age: expected a duration such as"},
      {{"--max-age", "36501d"}, "--max-age: must be at most 36500d, got '36501d'"},
      {{"--max-age", "99999999999999999999999"}, "--max-age: must be at most 36500d"},
      {{"--max-future", "none"}, "--max-future: expected a duration such as"},
      {{"--max-future", "0s"}, "--max-future: must be at least 1s"},
      {{"--max-open-partitions", "0"}, "--max-open-partitions: must be between 1 and 100000, got '0'"},
      {{"--max-open-partitions", "100001"}, "--max-open-partitions: must be between 1 and 100000"},
      {{"--compression-level", "-1"}, "--compression-level: must be between 0 and 22"},
      {{"--compression-level", "23"}, "--compression-level: must be between 0 and 22"},
      {{"--compression-level", "5"}, "compression-level: snappy has no levels"},
      {{"-c", "lz4", "--compression-level", "1"}, "compression-level: lz4 has no levels"},
      {{"-c", "gzip", "--compression-level", "10"}, "compression-level: gzip levels are 1..9, got 10"},
      {{"--compaction=maybe"}, "--compaction: expected true or false, got 'maybe'"},
      {{"--parquet-compat=2"}, "--parquet-compat: expected true or false"},
      {{"--config", "/nonexistent/logdaemon.toml"},
       "--config: cannot read config file '/nonexistent/logdaemon.toml': No such file or directory"},
      {{"--config", "/"}, "--config: config file '/' is not a regular file"},
      {{"--no-such-flag"}, "CLI11:"},
      {{"--batch-size"}, "CLI11:"},
  };
  for (const BadFlag& bad : cases) {
    std::string shown = bad.args.front().substr(0, 40);
    if (bad.args.size() > 1) shown.append(" ").append(bad.args[1].substr(0, 40));
    SCOPED_TRACE(shown);
    EXPECT_CONTAINS(ErrorOf(bad.args), bad.message);
  }
}

TEST(ServeSettingsTest, AHostileValueIsShownShortened) {
  std::string message = ErrorOf({"--batch-size", std::string(1 << 20, '9') + "x"});
  EXPECT_LT(message.size(), 300u);
  EXPECT_CONTAINS(message, "(1048577 bytes)");
  // Control characters are escaped, and a cut never splits a UTF-8 character.
  EXPECT_CONTAINS(ErrorOf({"--compression", "a\nb\x1b[31m"}), "got 'a\\x0ab\\x1b[31m'");
  message = ErrorOf({"--compression", Cat({std::string(63, 'x'), "\xc3\xa9", std::string(100, 'y')})});
  EXPECT_CONTAINS(message, Cat({"'", std::string(63, 'x'), "'… (165 bytes)"}));
}

TEST(ServeSettingsTest, AMemoryLimitTooSmallForOneFramePerIoThreadIsRefused) {
  // Ingest gets a quarter of 64 MiB = 16 MiB; 4 threads x (8 MiB + 128 KiB) do not fit.
  const std::string message = ErrorOf({"--max-message-bytes", "8MiB", "--io-threads", "4"});
  EXPECT_CONTAINS(message,
                  "memory-limit: 64 MiB gives ingest 16 MiB (a quarter), less than 4 io threads x "
                  "(max-message-bytes 8 MiB + 128 KiB) = 32.5 MiB");
  EXPECT_CONTAINS(message, "raise memory-limit to at least 130 MiB");
  // Exactly enough is enough.
  Result<ServeSettings> parsed =
      Parse({"--max-message-bytes", "8MiB", "--io-threads", "4", "--memory-limit", "130MiB"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->ToServerOptions().memory_limit, size_t{130} << 20);
  EXPECT_EQ(MemoryShares::Of(parsed->memory_limit).ingest, size_t{130} << 18);
}

// Unset, --io-threads is one per core, but no more than the ingest quarter holds frames of
// --max-message-bytes: with every default, a machine of 15 or more cores used to be refused at start.
TEST(ServeSettingsTest, DefaultIoThreadsFitTheMemoryLimitOnAnyMachine) {
  Result<ServeSettings> defaults = Parse({});
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  const ServerOptions options = defaults->ToServerOptions();
  EXPECT_EQ(options.io_threads, 0u);
  EXPECT_EQ(ResolveIoThreads(options, 2), 2u);
  EXPECT_EQ(ResolveIoThreads(options, 14), 14u);
  EXPECT_EQ(ResolveIoThreads(options, 64), 14u) << "16 MiB / (1 MiB + 128 KiB) = 14";
  ServerOptions at_64_cores = options;
  at_64_cores.io_threads = ResolveIoThreads(options, 64);
  EXPECT_TRUE(CheckMemoryLimit(at_64_cores).ok());

  ServerOptions big_frames = options;
  big_frames.max_message_bytes = size_t{64} << 20;  // more than the whole ingest quarter
  EXPECT_EQ(ResolveIoThreads(big_frames, 8), 1u) << "at least one loop";
  EXPECT_FALSE(CheckMemoryLimit(big_frames).ok()) << "and even one does not fit: refused, with its message";

  ServerOptions big_budget = options;
  big_budget.memory_limit = size_t{1} << 30;
  EXPECT_EQ(ResolveIoThreads(big_budget, 64), 64u);

  // Set, it is taken as given, and refused when it does not fit.
  Result<ServeSettings> set = Parse({"--io-threads", "20"});
  ASSERT_FALSE(set.ok());
  EXPECT_CONTAINS(set.status().message(), "less than 20 io threads");
  EXPECT_EQ(ResolveIoThreads(Parse({"--io-threads", "3"})->ToServerOptions(), 64), 3u);
}

TEST(ServeSettingsTest, HelpListsEveryFlag) {
  CLI::App app;
  CLI::App* serve = app.add_subcommand("serve");
  ServeCommandLine command_line(*serve);
  std::string help = serve->help();
  EXPECT_CONTAINS(help, "--config");
  for (const SettingSpec& spec : ServeSettingSpecs()) {
    EXPECT_CONTAINS(help, std::string("--").append(spec.name));
    if (!spec.short_name.empty()) EXPECT_CONTAINS(help, std::string("-").append(spec.short_name).append(","));
  }
  EXPECT_CONTAINS(help, "--no-compaction");
}

// ---- The config file --------------------------------------------------------------------------------------

constexpr std::string_view kEveryKey = R"(# every setting, none at its default
socket = "/run/x.sock"
socket-mode = "0600"
socket-group = 0
max-connections = 20
max-message-bytes = "64KiB"
idle-timeout = 30
io-threads = 3
io-backend = "epoll"
memory-limit = "32MiB"
schema = "/etc/s.json"
schema-path = ["/a", "https://example.com/=/b"]
time-field = "ts"
storage = "/var/logs"
batch-size = 5000
compression = "zstd"
compression-level = 19
flush-interval = 10
rotation-mb = 500
merge-min-files = 6
queue-capacity = 20000
overflow = "block"
ack = "memory"
wal-segment-mb = 8
wal-max-mb = 64
file-mode = "0600"
partition = "hour"
retention-days = 30
retention-mb = 2048
max-age = "12h"
max-future = 600
max-open-partitions = 8
parquet-compat = true
compaction = false
ship-url = "http://127.0.0.1:9000"
ship-bucket = "fleet-logs"
ship-prefix = "prod/logs"
ship-region = "eu-west-1"
ship-addressing = "path"
ship-host = "web-1"
ship-credentials-file = "/etc/logdaemon/aws"
ship-after = "5m"
local-retention = "2d"
ship-multipart-threshold = "8MiB"
ship-part-size = "5MiB"
metrics-addr = "off"
http-addr = "127.0.0.1:9300"
http-token-file = ""
http-max-body-mb = 5
http-max-connections = 64
http-timeout = 10
http-threads = 3
es-timestamp-field = "ts_es"
log-level = "debug"
)";

TEST(ServeSettingsTest, ConfigWithEveryKey) {
  for (const SettingSpec& spec : ServeSettingSpecs()) {
    EXPECT_CONTAINS(std::string(kEveryKey), std::string("\n").append(spec.name).append(" = "));
  }
  Result<ServeSettings> parsed = FromToml(kEveryKey);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const ServeSettings& s = *parsed;
  EXPECT_EQ(s.socket, "/run/x.sock");
  EXPECT_EQ(s.socket_mode, 0600u);
  EXPECT_EQ(s.socket_group, "0");
  EXPECT_EQ(s.max_connections, 20u);
  EXPECT_EQ(s.max_message_bytes, 65536u);
  EXPECT_EQ(s.idle_timeout, std::chrono::seconds(30));
  EXPECT_EQ(s.io_threads, 3u);
  EXPECT_EQ(s.io_backend, IoBackend::kEpoll);
  EXPECT_EQ(s.memory_limit, size_t{32} << 20);
  EXPECT_EQ(s.schema, "/etc/s.json");
  EXPECT_EQ(s.schema_paths, (std::vector<std::string>{"/a", "https://example.com/=/b"}));
  EXPECT_EQ(s.time_field, "ts");
  EXPECT_TRUE(s.time_field_explicit);
  EXPECT_EQ(s.storage, "/var/logs");
  EXPECT_EQ(s.merge_min_files, 6u);
  EXPECT_EQ(s.batch_size, 5000u);
  EXPECT_EQ(s.compression, Compression::kZstd);
  EXPECT_EQ(s.ship.url, "http://127.0.0.1:9000");
  EXPECT_EQ(s.ship.bucket, "fleet-logs");
  EXPECT_EQ(s.ship.prefix, "prod/logs");
  EXPECT_EQ(s.ship.region, "eu-west-1");
  EXPECT_EQ(s.ship.addressing, ship::Addressing::kPath);
  EXPECT_EQ(s.ship.host, "web-1");
  EXPECT_EQ(s.ship.credentials_file, "/etc/logdaemon/aws");
  EXPECT_EQ(s.ship.ship_after, std::chrono::minutes(5));
  EXPECT_EQ(s.ship.local_retention, std::chrono::hours(48));
  EXPECT_EQ(s.ship.multipart_threshold, uint64_t{8} << 20);
  EXPECT_EQ(s.ship.part_size, uint64_t{5} << 20);
  EXPECT_EQ(s.compression_level, 19);
  EXPECT_EQ(s.flush_interval, std::chrono::seconds(10));
  EXPECT_EQ(s.rotation_mb, 500u);
  EXPECT_EQ(s.queue_capacity, 20000u);
  EXPECT_EQ(s.overflow, OverflowPolicy::kBlock);
  EXPECT_EQ(s.ack, AckMode::kMemory);
  EXPECT_EQ(s.wal_segment_mb, 8u);
  EXPECT_EQ(s.wal_max_mb, 64u);
  EXPECT_EQ(s.file_mode, 0600u);
  EXPECT_EQ(s.partition, Partitioning::kHour);
  EXPECT_EQ(s.retention_days, 30);
  EXPECT_EQ(s.retention_mb, 2048u);
  EXPECT_EQ(s.EffectiveMaxAge(), std::chrono::seconds(12 * 3'600));
  EXPECT_EQ(s.max_future, std::chrono::seconds(600));  // an integer: seconds
  EXPECT_EQ(s.max_open_partitions, 8u);
  EXPECT_TRUE(s.parquet_compat);
  EXPECT_FALSE(s.compaction);
  EXPECT_EQ(HttpAddressText(s.http_address), "127.0.0.1:9300");  // http-addr wins over metrics-addr
  EXPECT_EQ(s.http_token, "");
  EXPECT_EQ(s.http_max_body_mb, 5u);
  EXPECT_EQ(s.http_max_connections, 64u);
  EXPECT_EQ(s.http_timeout, std::chrono::seconds(10));
  EXPECT_EQ(s.http_threads, 3u);
  EXPECT_EQ(s.es_timestamp_field, "ts_es");
  EXPECT_EQ(s.log_level, LogLevel::kDebug);
}

TEST(ServeSettingsTest, ConfigValueSpellings) {
  auto settings = [](std::string_view text) {
    Result<ServeSettings> parsed = FromToml(text);
    EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
    return parsed.ok() ? *parsed : ServeSettings{};
  };
  EXPECT_EQ(settings("").batch_size, 1000u);  // an empty file: the defaults
  EXPECT_EQ(settings("# only a comment\n\n").batch_size, 1000u);
  EXPECT_EQ(settings("socket-mode = 0o640").socket_mode, 0640u);
  EXPECT_EQ(settings("socket-mode = '660'").socket_mode, 0660u);
  EXPECT_EQ(settings("max-message-bytes = 4096").max_message_bytes, 4096u);
  EXPECT_EQ(settings("max-message-bytes = '1MiB'").max_message_bytes, 1u << 20);
  EXPECT_EQ(settings("socket-group = 'root'").socket_group, "root");
  EXPECT_EQ(settings("schema-path = '/only'").schema_paths, std::vector<std::string>{"/only"});
  EXPECT_TRUE(settings("schema-path = []").schema_paths.empty());
  EXPECT_EQ(settings("batch-size = 1_000").batch_size, 1000u);  // TOML's digit separator
  EXPECT_EQ(settings("metrics-addr = \"[::]:9100\"").http_address->host, "::");
  EXPECT_EQ(settings("\"batch-size\" = 7").batch_size, 7u);  // a quoted key is the same key
  EXPECT_EQ(settings("socket = \"/tmp/a.b.c.sock\" # dots in strings and comments ... are fine").socket,
            "/tmp/a.b.c.sock");
  EXPECT_EQ(settings("socket = '''/tmp/x.sock'''").socket, "/tmp/x.sock");
  EXPECT_EQ(settings("max-age = 'off'").EffectiveMaxAge(), std::nullopt);
  EXPECT_EQ(settings("max-age = '90d'").EffectiveMaxAge(), std::chrono::seconds(90 * 86'400));
  EXPECT_EQ(settings("retention-days = 3").EffectiveMaxAge(), std::chrono::seconds(3 * 86'400));
  EXPECT_EQ(settings("max-future = 'off'").max_future, std::nullopt);
  EXPECT_EQ(settings("max-future = '2h'").max_future, std::chrono::seconds(7'200));
}

TEST_F(ServeConfigFileTest, TheHttpTokenIsReadFromItsFileTrimmed) {
  Result<ServeSettings> parsed = Parse({"--http-token-file", Write("token", "  s3cr3t-T0ken\n")});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->http_token, "s3cr3t-T0ken");
  // --http-addr and --metrics-addr are one setting: given both, --http-addr wins, in either order.
  for (const auto& args :
       {std::vector<std::string>{"--metrics-addr", "127.0.0.1:1", "--http-addr", "127.0.0.1:2"},
        std::vector<std::string>{"--http-addr", "127.0.0.1:2", "--metrics-addr", "127.0.0.1:1"}}) {
    parsed = Parse(args);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->http_address->port, 2);
  }
}

TEST_F(ServeConfigFileTest, ABadHttpTokenFileIsRefusedNamingIt) {
  struct Case {
    std::string path;
    std::string says;
  };
  const std::vector<Case> cases = {
      {(dir_ / "missing").string(), "cannot read"},
      {Write("empty", ""), "holds no token"},
      {Write("blank", " \n\t\n"), "holds no token"},
      {Write("spaced", "two words"), "space or control character"},
      {Write("control", std::string("tok\x01en")), "space or control character"},
      {Write("huge", std::string(5000, 'a')), "more than 4096 bytes"},
      {dir_.string(), "--http-token-file"},  // a directory
  };
  for (const Case& c : cases) {
    Result<ServeSettings> parsed = Parse({"--http-token-file", c.path});
    ASSERT_FALSE(parsed.ok()) << c.path;
    EXPECT_CONTAINS(parsed.status().message(), "--http-token-file");
    EXPECT_CONTAINS(parsed.status().message(), c.says);
  }
}

TEST(ServeSettingsTest, HttpLimitsAreCheckedWithTheirRanges) {
  for (const auto& [flag, value] :
       std::vector<std::pair<std::string, std::string>>{{"--http-max-body-mb", "0"},
                                                        {"--http-max-body-mb", "1025"},
                                                        {"--http-max-connections", "0"},
                                                        {"--http-timeout", "0"},
                                                        {"--http-timeout", "3601"},
                                                        {"--http-threads", "0"},
                                                        {"--http-threads", "65"},
                                                        {"--es-timestamp-field", ""},
                                                        {"--es-timestamp-field", std::string(300, 'x')}}) {
    Result<ServeSettings> parsed = Parse({flag, value});
    ASSERT_FALSE(parsed.ok()) << flag << " " << value;
    EXPECT_CONTAINS(parsed.status().message(), flag);
  }
}

TEST_F(ServeConfigFileTest, FlagsWinOverTheConfigFile) {
  std::string path = Write("logdaemon.toml",
                           "batch-size = 5000\ncompression = \"zstd\"\nsocket = \"/tmp/f.sock\"\n"
                           "schema-path = [\"/from-file\"]\n");
  Result<ServeSettings> parsed =
      Parse({"--config", path, "--batch-size", "7", "-s", "/tmp/flag.sock", "--schema-path", "/from-flag"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->batch_size, 7u);                   // the flag
  EXPECT_EQ(parsed->compression, Compression::kZstd);  // the file
  EXPECT_EQ(parsed->socket, "/tmp/flag.sock");
  EXPECT_EQ(parsed->schema_paths, std::vector<std::string>{"/from-flag"});  // replaced, not appended
  EXPECT_EQ(parsed->config_file, path);

  // Order on the command line does not matter: --config is read first.
  parsed = Parse({"--batch-size", "8", "--config", path});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->batch_size, 8u);
}

TEST_F(ServeConfigFileTest, CrossChecksSeeBothSources) {
  std::string path = Write("zstd.toml", "compression = \"zstd\"\ncompression-level = 19\n");
  EXPECT_TRUE(Parse({"--config", path}).ok());
  EXPECT_CONTAINS(ErrorOf({"--config", path, "--compression", "snappy"}),
                  "compression-level: snappy has no levels");
}

TEST_F(ServeConfigFileTest, ErrorsNameTheFileLineAndColumn) {
  std::string path = Write("bad.toml", "socket = \"/tmp/x.sock\"\nbatch-size = \"5000\"\n");
  std::string message = ErrorOf({"--config", path});
  EXPECT_CONTAINS(message, Cat({"--config: ", path, ":2:14: batch-size: expected an integer, got a string"}));
}

TEST(ServeSettingsTest, ConfigErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"batch_size = 10", "test.toml:1:1: unknown key 'batch_size' (did you mean 'batch-size'?)"},
      {"\n\nBatch-Size = 10", "test.toml:3:1: unknown key 'Batch-Size' (did you mean 'batch-size'?)"},
      {"colour = 'blue'", "test.toml:1:1: unknown key 'colour'"},
      {"config = 'other.toml'", "unknown key 'config' (a config file cannot name another one)"},
      {"[server]\nsocket = '/x'", "test.toml:1:"},
      {"socket.path = '/x'", "socket: expected a string, got a table"},
      {"batch-size = \"5000\"", "test.toml:1:14: batch-size: expected an integer, got a string"},
      {"batch-size = 5000.0", "batch-size: expected an integer, got a floating-point number"},
      {"batch-size = true", "batch-size: expected an integer, got a boolean"},
      {"batch-size = [1]", "batch-size: expected an integer, got an array"},
      {"batch-size = 1979-05-27", "batch-size: expected an integer, got a date"},
      {"batch-size = 0", "test.toml:1:14: batch-size: must be between 1 and 100000000, got '0'"},
      {"batch-size = -5", "batch-size: must be between 1 and"},
      {"batch-size = 9223372036854775807", "batch-size: must be between 1 and"},
      {"batch-size = -9223372036854775808", "batch-size: must be between 1 and"},
      {"batch-size = 99999999999999999999999", "test.toml:1:"},  // toml++: not representable in 64 bits
      {"batch-size = inf", "batch-size: expected an integer, got a floating-point number"},
      {"compression = 'lzma'", "compression: expected snappy, zstd, gzip, lz4 or none, got 'lzma'"},
      {"compression = 1", "compression: expected a string, got an integer"},
      {"max-age = true",
       "max-age: expected a duration (\"30d\", \"1h\", \"off\") or an integer (seconds), got a boolean"},
      {"max-age = 0", "test.toml:1:11: max-age: must be at least 1s"},
      {"max-future = -5", "max-future: expected a duration such as 30d"},
      {"socket = 5", "socket: expected a string, got an integer"},
      {Cat({"socket = \"\"\"\n", std::string(200, 'x'), "\"\"\""}),
       "socket: a Unix socket path is at most 107 bytes"},
      {"socket = \"/tmp/a\\u0000b\"", "socket: must not contain a NUL byte"},
      {"socket-mode = 660", "socket-mode: write the mode in octal, as \"0660\" or 0o660, got 660"},
      {"socket-mode = 0o1777", "socket-mode: must be at most 0777"},
      {"socket-mode = '999'", "socket-mode: expected an octal mode"},
      {"socket-mode = true", "socket-mode: expected an octal mode (\"0660\" or 0o660), got a boolean"},
      {"socket-group = -1", "socket-group: must be between 0 and"},
      {"socket-group = 1.5", "socket-group: expected a group name or number"},
      {"max-message-bytes = 0", "max-message-bytes: must be between 1 and 1073741824 bytes"},
      {"max-message-bytes = '2GiB'", "max-message-bytes: must be between"},
      {"max-message-bytes = 1.5", "max-message-bytes: expected an integer (bytes) or a string with a unit"},
      {"parquet-compat = 'yes'", "parquet-compat: expected true or false, got a string"},
      {"compaction = 1", "compaction: expected true or false, got an integer"},
      {"schema-path = [1, 2]", "schema-path: expected an array of strings, got an integer in it"},
      {"schema-path = [['a']]", "schema-path: expected an array of strings, got an array in it"},
      {"schema-path = ['']", "schema-path: must not be empty"},
      {"schema-path = 5", "schema-path: expected an array of strings, got an integer"},
      {"metrics-addr = 'nonsense'", "metrics-addr: 'nonsense'"},
      {"log-level = 'loud'", "log-level: expected trace, debug"},
      {"io-threads = 0", "io-threads: must be between 1 and 1024"},
      {"flush-interval = 2.5", "flush-interval: expected an integer, got a floating-point number"},
      // Syntax errors carry toml++'s description and position.
      {"batch-size = ", "test.toml:1:"},
      {"batch-size = 5\nbatch-size = 6", "test.toml:2:"},
      {"batch-size 5", "test.toml:1:"},
      {"socket = \"unterminated", "test.toml:1:"},
      {"socket-mode = 0660", "test.toml:1:"},  // leading zeros are not TOML
      {"\n\n  = 5", "test.toml:3:"},
      {"x = \"\xff\xfe\"", "test.toml:1:"},  // not UTF-8
      {std::string("batch-size = 5\0\n", 16), "test.toml:1:"},
      // The first error in the file is the one reported.
      {"socket = 1\nbatch-size = 'x'\n", "test.toml:1:10: socket"},
      {"zzz = 1\nbatch-size = 'x'\n", "test.toml:1:1: unknown key 'zzz'"},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text.substr(0, 80));
    EXPECT_CONTAINS(TomlErrorOf(text), expected);
  }
}

TEST_F(ServeConfigFileTest, MissingUnreadableAndOddFiles) {
  ServeSettings settings;
  Status st = ApplyConfigFile((dir_ / "missing.toml").string(), &settings);
  EXPECT_CONTAINS(st.message(), "missing.toml': No such file or directory");

  st = ApplyConfigFile(dir_.string(), &settings);
  EXPECT_CONTAINS(st.message(), "is not a regular file");

  // A FIFO nobody writes to: refused at once, not waited on.
  std::string fifo = (dir_ / "fifo.toml").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  st = ApplyConfigFile(fifo, &settings);
  EXPECT_CONTAINS(st.message(), "is not a regular file");

  std::string unreadable = Write("unreadable.toml", "batch-size = 5\n");
  ASSERT_EQ(chmod(unreadable.c_str(), 0), 0);
  if (geteuid() != 0) {  // root reads it anyway
    st = ApplyConfigFile(unreadable, &settings);
    EXPECT_CONTAINS(st.message(), "Permission denied");
  }

  std::string huge = Write("huge.toml", Cat({"# ", std::string(5 << 20, 'x'), "\n"}));
  st = ApplyConfigFile(huge, &settings);
  EXPECT_CONTAINS(st.message(), "is larger than 4 MiB");

  std::string good = Write("good.toml", "batch-size = 5\n");
  st = ApplyConfigFile(good, &settings);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(settings.batch_size, 5u);
}

// ---- Hostile config files: an error, never a crash -------------------------------------------------------

TEST(ServeSettingsTest, HostileConfigsAreRefusedWithoutCrashing) {
  const size_t kDeep = 200'000;
  std::string dotted_key;
  for (size_t i = 0; i < kDeep; ++i) dotted_key.append(i ? ".a" : "a");
  std::string inline_tables = "socket = ";
  for (size_t i = 0; i < kDeep; ++i) inline_tables += "{a=";
  inline_tables += "1";
  for (size_t i = 0; i < kDeep; ++i) inline_tables += "}";
  std::string arrays = "schema-path = ";
  arrays += Cat({std::string(kDeep, '['), "'x'", std::string(kDeep, ']')});
  std::string many_headers;
  for (size_t i = 0; i < 20'000; ++i) many_headers += Cat({"[t", std::to_string(i), "]\n"});
  std::string many_keys;
  for (size_t i = 0; i < 100'000; ++i)
    many_keys += Cat({"k", std::to_string(i), " = ", std::to_string(i), "\n"});
  std::string big_array = "schema-path = [";
  for (size_t i = 0; i < 100'000; ++i) big_array += "'p',";
  big_array += "1]";

  const std::vector<std::pair<std::string, std::string>> cases = {
      {Cat({"[", dotted_key, "]\n"}), "keys nested too deeply"},
      {Cat({"[[", dotted_key, "]]\n"}), "keys nested too deeply"},
      {dotted_key + " = 1\n", "keys nested too deeply"},
      {Cat({"x = {", dotted_key, " = 1}\n"}), "keys nested too deeply"},
      {inline_tables, "test.toml:1:"},  // toml++'s nesting limit
      {arrays, "test.toml:1:"},
      {many_headers, "unknown key 't0'"},
      {many_keys, "unknown key 'k0'"},
      {big_array, "schema-path: expected an array of strings, got an integer in it"},
      {Cat({"socket = \"", std::string(1'000'000, 'x'), "\""}),
       "socket: a Unix socket path is at most 107 bytes"},
      {Cat({"metrics-addr = \"", std::string(1'000'000, '1'), "\""}),
       "metrics-addr: expected HOST:PORT or off"},
      {Cat({"log-level = \"", std::string(1'000'000, 'x'), "\""}), "log-level: expected"},
      {Cat({"socket-group = \"", std::string(1'000'000, 'x'), "\""}), "socket-group:"},
      {Cat({"batch-size = \"", std::string(1'000'000, '9'), "\""}),
       "batch-size: expected an integer, got a string"},
      {Cat({"max-message-bytes = \"", std::string(1'000'000, '9'), "\""}),
       "max-message-bytes: must be between"},
      {std::string(1'000'000, '.'), "keys nested too deeply"},
      {std::string(1'000'000, '['), "test.toml:1:"},
      {std::string(1'000'000, '{'), "test.toml:1:"},
      {std::string(1'000'000, '"'), "test.toml:1:"},
      {std::string(1'000'000, '\''), "test.toml:1:"},
      {std::string(1'000'000, '#'), "(accepted)"},  // one long comment
      {std::string(1'000'000, '\n'), "(accepted)"},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text.substr(0, 60));
    std::string message = TomlErrorOf(text);
    EXPECT_CONTAINS(message, expected);
    EXPECT_LT(message.size(), 1000u) << "the message quotes a hostile value in full";
  }
}

TEST(ServeSettingsTest, RandomBytesNeverCrash) {
  // A fixed seed: the same inputs every run.
  uint64_t state = 0x9E3779B97F4A7C15u;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const std::string alphabet = "ab-=.[]{}\"'#\\\n 0o9,_:tfrue";
  std::string valid(kEveryKey);
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    if (round % 2 == 0) {
      size_t size = next() % 200;
      for (size_t i = 0; i < size; ++i) text += alphabet[next() % alphabet.size()];
    } else {  // a valid file, a few bytes changed
      text = valid;
      for (int i = 0; i < 3; ++i) text[next() % text.size()] = alphabet[next() % alphabet.size()];
    }
    ServeSettings settings;
    (void)ApplyConfigText(text, "fuzz.toml", &settings);
  }
}

// ---- Documentation and the example config ----------------------------------------------------------------

TEST(ServeSettingsTest, TheExampleConfigIsValidAndNamesEveryKey) {
  const fs::path example = SourceRoot() / "examples" / "logdaemon.toml";
  const std::string text = ReadText(example);
  ASSERT_FALSE(text.empty()) << example;
  for (const SettingSpec& spec : ServeSettingSpecs()) {
    bool named = text.find(std::string("\n").append(spec.name).append(" = ")) != std::string::npos ||
                 text.find(std::string("\n# ").append(spec.name).append(" = ")) != std::string::npos;
    EXPECT_TRUE(named) << "examples/logdaemon.toml does not show '" << spec.name << " = '";
  }
  // It sets the defaults, so it is a starting point that changes nothing until edited.
  ServeSettings settings;
  Status st = ApplyConfigFile(example.string(), &settings);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ServeSettings defaults;
  EXPECT_EQ(settings.socket, defaults.socket);
  EXPECT_EQ(settings.storage, defaults.storage);
  EXPECT_EQ(settings.batch_size, defaults.batch_size);
  EXPECT_EQ(settings.compression, defaults.compression);
  EXPECT_EQ(settings.max_connections, defaults.max_connections);
  EXPECT_EQ(settings.rotation_mb, defaults.rotation_mb);
  EXPECT_EQ(settings.flush_interval, defaults.flush_interval);
  EXPECT_EQ(settings.queue_capacity, defaults.queue_capacity);
  EXPECT_EQ(settings.overflow, defaults.overflow);
  EXPECT_EQ(settings.max_message_bytes, defaults.max_message_bytes);
  EXPECT_EQ(settings.idle_timeout, defaults.idle_timeout);
  EXPECT_EQ(HttpAddressText(settings.http_address), HttpAddressText(defaults.http_address));
  EXPECT_EQ(settings.socket_mode, defaults.socket_mode);
  EXPECT_EQ(settings.log_level, defaults.log_level);
  EXPECT_EQ(settings.io_backend, defaults.io_backend);
  EXPECT_EQ(settings.compression_level, defaults.compression_level);
  EXPECT_EQ(settings.partition, defaults.partition);
  EXPECT_EQ(settings.retention_days, defaults.retention_days);
  EXPECT_EQ(settings.retention_mb, defaults.retention_mb);
  EXPECT_EQ(settings.parquet_compat, defaults.parquet_compat);
  EXPECT_EQ(settings.compaction, defaults.compaction);
  EXPECT_EQ(settings.EffectiveMaxAge(), defaults.EffectiveMaxAge());
  EXPECT_EQ(settings.max_future, defaults.max_future);
  EXPECT_EQ(settings.max_open_partitions, defaults.max_open_partitions);
}

TEST(ServeSettingsTest, TheDocumentationDescribesEverySetting) {
  const std::string text = ReadText(SourceRoot() / "docs" / "configuration.md");
  ASSERT_FALSE(text.empty());
  // Each setting has a row in one of the tables: "| `-b, --batch-size N` | 1000 | …".
  std::vector<std::string> rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| `", 0) == 0) rows.push_back(line);
  }
  auto documented = [&](std::string_view flag) {
    for (const std::string& row : rows) {
      for (size_t at = row.find(flag); at != std::string::npos; at = row.find(flag, at + 1)) {
        char next = at + flag.size() < row.size() ? row[at + flag.size()] : ' ';
        if (next == ' ' || next == '`') return true;  // not a longer name that starts the same
      }
    }
    return false;
  };
  for (const SettingSpec& spec : ServeSettingSpecs()) {
    EXPECT_TRUE(documented(Cat({"--", spec.name}))) << "docs/configuration.md has no row for --" << spec.name;
  }
  EXPECT_TRUE(documented("--config"));
}

}  // namespace
}  // namespace serve_settings_test
}  // namespace logdaemon::cli
