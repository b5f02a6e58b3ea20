// The settings of `logdaemon serve`: every flag, its TOML config-file key, its default, and the checks that
// refuse a bad value at start (docs/configuration.md).
//
// One table of setting descriptors (ServeSettingSpecs) drives both sources, so the command line and the
// config file cannot drift apart: each descriptor registers its CLI11 option and reads its TOML key, and
// both hand the value, as text, to the same parse-and-check function. Precedence: built-in defaults, then
// the `--config` file, then the flags given on the command line.
//
// Errors name what was wrong and where: "--batch-size: must be between 1 and 100000000, got 0" for a flag,
// "/etc/logdaemon.toml:4:14: batch-size: …" for a config key.
//
// Thread-safety: plain values and functions; ServeCommandLine is used by one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/listen_address.h"
#include "logdaemon/schema.h"
#include "logdaemon/server.h"
#include "logdaemon/status.h"
#include "logdaemon/storage.h"
#include "ship/ship_options.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace logdaemon::cli {

// The daemon's own log level (--log-level), as spdlog names them.
enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kCritical, kOff };
std::string_view LogLevelName(LogLevel level);  // "trace", …, "off"

struct ServeSettings {
  // The socket and its clients.
  std::string socket = "/tmp/logdaemon.sock";
  uint32_t socket_mode = 0660;
  std::string socket_group;  // a group name or number; empty: the daemon's own group
  size_t max_connections = 1000;
  size_t max_message_bytes = size_t{1} << 20;
  std::chrono::seconds idle_timeout{300};
  size_t io_threads = 0;  // 0: one per core, as many as the ingest share holds (ResolveIoThreads)
  IoBackend io_backend = IoBackend::kAuto;
  size_t memory_limit = size_t{64} << 20;  // ingest gets MemoryShares::Of(memory_limit).ingest

  // The schema.
  std::string schema;  // a JSON Schema file; empty: the built-in log schema
  std::vector<std::string> schema_paths;
  std::string time_field = "timestamp";
  bool time_field_explicit = false;  // set by --time-field / time-field: the schema must have it

  // The storage.
  std::string storage = "./logs";
  size_t batch_size = 1000;
  Compression compression = Compression::kSnappy;
  int compression_level = 0;  // 0: the codec's default
  std::chrono::seconds flush_interval{5};
  uint64_t rotation_mb = 100;
  size_t merge_min_files = 32;
  size_t queue_capacity = 10000;
  OverflowPolicy overflow = OverflowPolicy::kDrop;
  AckMode ack = AckMode::kDurable;
  uint64_t wal_segment_mb = 32;
  uint64_t wal_max_mb = 1024;
  uint32_t file_mode = 0640;
  Partitioning partition = Partitioning::kDay;
  int retention_days = 0;     // 0: keep everything
  uint64_t retention_mb = 0;  // 0: no size limit
  // The accepted window of the time field (DESIGN.md §4; nullopt: off). --max-age, when not given
  // (max_age_given false), is the retention when there is one, else 30 days: EffectiveMaxAge().
  std::optional<std::chrono::seconds> max_age;
  bool max_age_given = false;
  std::optional<std::chrono::seconds> max_future = std::chrono::hours(1);
  size_t max_open_partitions = 64;
  bool parquet_compat = false;
  bool compaction = true;

  // Operations.
  // The HTTP front door (--http-addr, alias --metrics-addr; docs/http.md).
  std::optional<http::ListenAddress> http_address = http::ListenAddress{"127.0.0.1", 9100};  // nullopt: off
  std::string http_token;  // read from --http-token-file; required for a non-loopback address
  size_t http_max_body_mb = 20;
  size_t http_max_connections = 256;
  std::chrono::seconds http_timeout{30};
  unsigned http_threads = 2;
  std::string es_timestamp_field = "@timestamp";
  LogLevel log_level = LogLevel::kInfo;
  // Object-storage shipping (--ship-*, --local-retention; cli/ship_settings.h, docs/shipping.md).
  ship::ShipOptions ship;
  std::string config_file;  // the --config file the settings were read from, if any

  // --max-age as it applies: the value given (or off), else the retention, else 30 days.
  std::optional<std::chrono::seconds> EffectiveMaxAge() const;

  ServerOptions ToServerOptions() const;
  StorageOptions ToStorageOptions() const;  // `on_error` and `file_system` are left to the caller
  SchemaOptions ToSchemaOptions() const;
};

// "127.0.0.1:9100", "[::1]:9100", or "off".
std::string HttpAddressText(const std::optional<http::ListenAddress>& address);

// A limit of the time window (--max-age, --max-future; `import` too): "off" (nullopt), or a whole number
// with a unit: "30d", "12h", "90m", "3600s" (no unit: seconds), at most 36500 days.
Result<std::optional<std::chrono::seconds>> ParseTimeLimit(std::string_view text);
// "off", or the limit in the largest unit that divides it ("30d", "1h", "90m", "7s").
std::string TimeLimitText(const std::optional<std::chrono::seconds>& limit);

// How a setting's value is written in the config file (the command line always gives text).
enum class SettingKind {
  kInteger,     // a TOML integer
  kSize,        // a TOML integer (bytes) or a string with a unit ("64KiB")
  kString,      // a TOML string
  kBoolean,     // a TOML boolean; on the command line --NAME / --no-NAME
  kStringList,  // a TOML array of strings (or one string); a repeatable flag
  kMode,        // a string of octal digits ("0660") or a TOML octal integer (0o660)
  kGroup,       // a string (group name or number) or a TOML integer (gid)
  kDuration,    // a string with a unit ("30d", "1h") or "off", or a TOML integer (seconds)
};

// One setting: its flag (--NAME, and -SHORT when it has one) and config key (NAME), and the function that
// parses and checks a value and stores it. The message of a refused value says what is wrong without
// naming the setting; the caller adds "--NAME: " or "FILE:LINE:COLUMN: NAME: " in front.
struct SettingSpec {
  std::string_view name;        // "batch-size": the long flag and the config key
  std::string_view short_name;  // "b", or empty
  std::string_view value_name;  // "N", "PATH", … for --help
  std::string_view default_text;
  std::string_view help;
  SettingKind kind;
  // Scalars: one value. Lists: every value of one source (it replaces what an earlier source set).
  Status (*apply)(const std::vector<std::string>& values, ServeSettings* settings);
};

// Every setting, in the order --help and docs/configuration.md show them.
std::span<const SettingSpec> ServeSettingSpecs();

// Reads a TOML config file into `settings` (over what it already holds): every key must be a setting of
// ServeSettingSpecs with a value of its kind. Errors carry "FILE:LINE:COLUMN: ".
Status ApplyConfigFile(const std::string& path, ServeSettings* settings);
// The same for a document already in memory; `path` names it in messages.
Status ApplyConfigText(std::string_view text, std::string_view path, ServeSettings* settings);

// The checks that involve more than one setting (a compression level the codec does not have, a
// memory-limit too small for io-threads frames of max-message-bytes).
Status CheckServeSettings(const ServeSettings& settings);

// The serve flags, registered on a CLI11 subcommand. After the command line is parsed, Resolve() reads
// --config (when given), applies the flags given on the command line over it and checks everything.
//
//   CLI::App* serve = app.add_subcommand("serve", "…");
//   ServeCommandLine serve_command_line(*serve);
//   app.parse(argc, argv);
//   Result<ServeSettings> settings = serve_command_line.Resolve();
class ServeCommandLine {
 public:
  explicit ServeCommandLine(CLI::App& command);
  ~ServeCommandLine();
  ServeCommandLine(const ServeCommandLine&) = delete;
  ServeCommandLine& operator=(const ServeCommandLine&) = delete;

  Result<ServeSettings> Resolve() const;

 private:
  struct Flag;
  // Stable addresses: CLI11 keeps pointers to each flag's value.
  std::vector<std::unique_ptr<Flag>> flags_;
  std::string config_file_;
  CLI::Option* config_option_ = nullptr;
};

}  // namespace logdaemon::cli
