#include "cli/serve_settings.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/ship_settings.h"

#include <toml++/toml.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <utility>

namespace logdaemon::cli {

namespace {

// ---- Limits (docs/configuration.md lists them) -----------------------------------------------------------

constexpr int64_t kMaxBatchSize = 100'000'000;
constexpr int64_t kMaxConnections = 1'000'000;
constexpr int64_t kMaxRotationMb = int64_t{1} << 20;  // 1 TiB files
constexpr int64_t kMaxFlushIntervalSeconds = 86'400;
constexpr int64_t kMaxIoThreads = 1024;
constexpr int64_t kMaxQueueCapacity = 100'000'000;
// A frame's length is a u32, so 4 GiB is the protocol's limit; one log of more than 1 GiB is a mistake,
// and every connection may hold one frame of this size in memory.
constexpr int64_t kMaxMessageBytes = int64_t{1} << 30;
constexpr int64_t kMinMemoryLimit = int64_t{1} << 20;
constexpr int64_t kMaxMemoryLimit = int64_t{1} << 40;
constexpr int64_t kMaxIdleTimeoutSeconds = 30 * 86'400;
constexpr int64_t kMaxCompressionLevel = 22;  // zstd's highest; gzip stops at 9 (CheckServeSettings)
constexpr int64_t kMaxRetentionDays = 36'500;
constexpr int64_t kMaxRetentionMb = int64_t{1} << 30;  // 1 PiB
// --max-age and --max-future: a century, as the retention.
constexpr int64_t kMaxTimeLimitSeconds = kMaxRetentionDays * 86'400;
constexpr int64_t kMaxOpenPartitions = 100'000;
constexpr int64_t kMaxGroupId = 4'294'967'294;  // (gid_t)-1 means "no change" to chown
// sockaddr_un::sun_path holds 108 bytes, the last one the terminating NUL.
constexpr size_t kMaxSocketPath = sizeof(sockaddr_un{}.sun_path) - 1;
static_assert(kMaxSocketPath == 107);

// A config file is a page of settings; this bounds what a hostile or mistaken --config costs to read.
constexpr size_t kMaxConfigBytes = size_t{4} << 20;
// toml++ builds dotted keys and table headers ("[a.b.c]") recursively, and one nested deep enough
// (about 100 000 levels, far fewer under AddressSanitizer) overflows the stack. The config is flat, so a
// valid file has almost no dots outside strings and comments (a float has one): refuse a file with more
// before toml++ sees it. Arrays and inline tables are already limited by toml++ (256 levels).
constexpr size_t kMaxDotsOutsideStrings = 128;

// ---- Messages --------------------------------------------------------------------------------------------

// Builds a message by appending (GCC 12 gives a false -Wrestrict on `"literal" + std::string`).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out += part;
  return out;
}

// A value as a message shows it: quoted, control characters escaped, and cut short (at a character
// boundary) when long: a hostile value may be megabytes.
std::string Shown(std::string_view text) {
  constexpr size_t kShown = 64;
  size_t shown = std::min(text.size(), kShown);
  while (shown < text.size() && shown > 0 && (static_cast<unsigned char>(text[shown]) & 0xC0) == 0x80)
    --shown;
  std::string out = "'";
  for (char c : text.substr(0, shown)) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[(c >> 4) & 0xf];
      out += kHex[c & 0xf];
    } else {
      out += c;
    }
  }
  out += "'";
  if (shown < text.size()) out.append("… (").append(std::to_string(text.size())).append(" bytes)");
  return out;
}

Status Invalid(std::initializer_list<std::string_view> parts) {
  return Status::InvalidArgument(Cat(parts));
}

// ---- Value parsers: text in, checked value out -------------------------------------------------------

// A whole number in [min, max]: "1000", "+1000", "-5" (refused by the range, with the range in the message).
Result<int64_t> ParseInRange(std::string_view text, int64_t min, int64_t max) {
  std::string_view digits = text;
  if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-')
    digits.remove_prefix(1);  // from_chars: '-' only
  int64_t value = 0;
  const char* end = digits.data() + digits.size();
  auto [stop, error] = std::from_chars(digits.data(), end, value);
  if (digits.empty() || stop != end || error == std::errc::invalid_argument) {
    return Invalid({"expected a whole number, got ", Shown(text)});
  }
  if (error == std::errc::result_out_of_range || value < min || value > max) {
    return Invalid(
        {"must be between ", std::to_string(min), " and ", std::to_string(max), ", got ", Shown(text)});
  }
  return value;
}

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return Lower(x) == Lower(y); });
}

// Bytes: "1048576", "1048576B", "64KiB", "1MiB", "1GiB" (K, M, G alone mean the same powers of 1024).
Result<int64_t> ParseBytes(std::string_view text, int64_t min, int64_t max) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  std::string_view unit = text.substr(digits);
  int shift = -1;
  if (unit.empty() || EqualsIgnoringCase(unit, "B")) {
    shift = 0;
  } else if (EqualsIgnoringCase(unit, "K") || EqualsIgnoringCase(unit, "KiB")) {
    shift = 10;
  } else if (EqualsIgnoringCase(unit, "M") || EqualsIgnoringCase(unit, "MiB")) {
    shift = 20;
  } else if (EqualsIgnoringCase(unit, "G") || EqualsIgnoringCase(unit, "GiB")) {
    shift = 30;
  }
  auto out_of_range = [&] {
    return Invalid(
        {"must be between ", std::to_string(min), " and ", std::to_string(max), " bytes, got ", Shown(text)});
  };
  if (!text.empty() && text.front() == '-') return out_of_range();
  if (digits == 0 || shift < 0) {
    return Invalid(
        {"expected a number of bytes, optionally with a unit (B, KiB, MiB, GiB), got ", Shown(text)});
  }
  uint64_t number = 0;
  auto [stop, error] = std::from_chars(text.data(), text.data() + digits, number);
  if (error != std::errc() || number > (static_cast<uint64_t>(max) >> shift)) return out_of_range();
  const int64_t bytes = static_cast<int64_t>(number << shift);
  if (bytes < min) return out_of_range();
  return bytes;
}

Result<bool> ParseBoolean(std::string_view text) {
  for (std::string_view yes : {"true", "yes", "on", "1"}) {
    if (EqualsIgnoringCase(text, yes)) return true;
  }
  for (std::string_view no : {"false", "no", "off", "0"}) {
    if (EqualsIgnoringCase(text, no)) return false;
  }
  return Invalid({"expected true or false, got ", Shown(text)});
}

// Permission bits in octal: "0660", "660", "0o660"; at most 0777.
Result<uint32_t> ParseMode(std::string_view text) {
  std::string_view digits = text;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'o' || digits[1] == 'O'))
    digits.remove_prefix(2);
  bool octal = !digits.empty() && digits.size() <= 12 &&
               std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '7'; });
  if (!octal) return Invalid({"expected an octal mode such as 0660, got ", Shown(text)});
  uint64_t mode = 0;
  for (char c : digits) mode = mode * 8 + static_cast<uint64_t>(c - '0');
  if (mode > 0777) return Invalid({"must be at most 0777 (permission bits), got ", Shown(text)});
  return static_cast<uint32_t>(mode);
}

Status CheckNoNul(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return Invalid({"must not contain a NUL byte"});
  return Status::OK();
}

Result<LogLevel> ParseLogLevel(std::string_view text) {
  for (LogLevel level : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                         LogLevel::kError, LogLevel::kCritical, LogLevel::kOff}) {
    if (text == LogLevelName(level)) return level;
  }
  return Invalid({"expected trace, debug, info, warn, error, critical or off, got ", Shown(text)});
}

// ---- The settings: one apply function each ---------------------------------------------------------------
// Each takes the values of one source (exactly one for a scalar) and stores the checked value.

using Values = std::vector<std::string>;

Status ApplySocket(const Values& v, ServeSettings* s) {
  const std::string& path = v.front();
  if (path.empty()) return Invalid({"must not be empty"});
  if (Status st = CheckNoNul(path); !st.ok()) return st;
  if (path.size() > kMaxSocketPath) {
    return Invalid({"a Unix socket path is at most ", std::to_string(kMaxSocketPath), " bytes, got ",
                    std::to_string(path.size()), " bytes: ", Shown(path)});
  }
  s->socket = path;
  return Status::OK();
}

Status ApplySocketMode(const Values& v, ServeSettings* s) {
  Result<uint32_t> mode = ParseMode(v.front());
  if (!mode.ok()) return mode.status();
  s->socket_mode = *mode;
  return Status::OK();
}

Status ApplyFileMode(const Values& v, ServeSettings* s) {
  Result<uint32_t> mode = ParseMode(v.front());
  if (!mode.ok()) return mode.status();
  if ((*mode & 0600) != 0600) {
    return Invalid({"must let the owner read and write (include 0600), got ", Shown(v.front())});
  }
  s->file_mode = *mode;
  return Status::OK();
}

Status ApplySocketGroup(const Values& v, ServeSettings* s) {
  const std::string& group = v.front();
  if (group.empty()) {  // the daemon's own group, as when it is not set
    s->socket_group.clear();
    return Status::OK();
  }
  if (Status st = CheckNoNul(group); !st.ok()) return st;
  // A number is a gid ("-5" too, refused by the range); anything else is a group name.
  bool numeric = group.find_first_not_of("0123456789", group.front() == '-' ? 1 : 0) == std::string::npos;
  if (numeric) {
    Result<int64_t> gid = ParseInRange(group, 0, kMaxGroupId);
    if (!gid.ok()) return gid.status();
  } else {
    // Looked up now, so that a typo is refused at start rather than when the socket is bound.
    struct group entry {};
    struct group* found = nullptr;
    std::vector<char> buffer(16 * 1024);
    int error = 0;
    while ((error = getgrnam_r(group.c_str(), &entry, buffer.data(), buffer.size(), &found)) == ERANGE &&
           buffer.size() < (size_t{1} << 24)) {
      buffer.resize(buffer.size() * 2);
    }
    if (found == nullptr) {
      if (error != 0) return Invalid({"cannot look up group ", Shown(group), ": ", std::strerror(error)});
      return Invalid({"no such group: ", Shown(group)});
    }
  }
  s->socket_group = group;
  return Status::OK();
}

Status ApplyMaxConnections(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 1, kMaxConnections);
  if (!n.ok()) return n.status();
  s->max_connections = static_cast<size_t>(*n);
  return Status::OK();
}

Status ApplyMaxMessageBytes(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseBytes(v.front(), 1, kMaxMessageBytes);
  if (!n.ok()) return n.status();
  s->max_message_bytes = static_cast<size_t>(*n);
  return Status::OK();
}

Status ApplyMemoryLimit(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseBytes(v.front(), kMinMemoryLimit, kMaxMemoryLimit);
  if (!n.ok()) return n.status();
  s->memory_limit = static_cast<size_t>(*n);
  return Status::OK();
}

Status ApplyIdleTimeout(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 1, kMaxIdleTimeoutSeconds);
  if (!n.ok()) return n.status();
  s->idle_timeout = std::chrono::seconds(*n);
  return Status::OK();
}

Status ApplyIoThreads(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 1, kMaxIoThreads);
  if (!n.ok()) return n.status();
  s->io_threads = static_cast<size_t>(*n);
  return Status::OK();
}

Status ApplyIoBackend(const Values& v, ServeSettings* s) {
  Result<IoBackend> backend = ParseIoBackend(v.front());
  if (!backend.ok()) return Invalid({"expected auto, uring or epoll, got ", Shown(v.front())});
  s->io_backend = *backend;
  return Status::OK();
}

Status ApplySchema(const Values& v, ServeSettings* s) {
  if (Status st = CheckNoNul(v.front()); !st.ok()) return st;
  s->schema = v.front();  // empty: the built-in schema
  return Status::OK();
}

Status ApplySchemaPaths(const Values& v, ServeSettings* s) {
  for (const std::string& path : v) {
    if (path.empty()) return Invalid({"must not be empty"});
    if (Status st = CheckNoNul(path); !st.ok()) return st;
  }
  s->schema_paths = v;
  return Status::OK();
}

Status ApplyTimeField(const Values& v, ServeSettings* s) {
  if (v.front().empty()) return Invalid({"must not be empty"});
  if (Status st = CheckNoNul(v.front()); !st.ok()) return st;
  s->time_field = v.front();
  s->time_field_explicit = true;
  return Status::OK();
}

Status ApplyStorage(const Values& v, ServeSettings* s) {
  if (v.front().empty()) return Invalid({"must not be empty"});
  if (Status st = CheckNoNul(v.front()); !st.ok()) return st;
  s->storage = v.front();
  return Status::OK();
}

Status ApplyBatchSize(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 1, kMaxBatchSize);
  if (!n.ok()) return n.status();
  s->batch_size = static_cast<size_t>(*n);
  return Status::OK();
}

Status ApplyCompression(const Values& v, ServeSettings* s) {
  Result<Compression> compression = ParseCompression(v.front());
  if (!compression.ok()) return Invalid({"expected snappy, zstd, gzip, lz4 or none, got ", Shown(v.front())});
  s->compression = *compression;
  return Status::OK();
}

Status ApplyCompressionLevel(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 0, kMaxCompressionLevel);
  if (!n.ok()) return n.status();
  s->compression_level = static_cast<int>(*n);
  return Status::OK();
}

Status ApplyFlushInterval(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 1, kMaxFlushIntervalSeconds);
  if (!n.ok()) return n.status();
  s->flush_interval = std::chrono::seconds(*n);
  return Status::OK();
}

Status ApplyRotationMb(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 1, kMaxRotationMb);
  if (!n.ok()) return n.status();
  s->rotation_mb = static_cast<uint64_t>(*n);
  return Status::OK();
}

Status ApplyMergeMinFiles(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 2, 256);
  if (!n.ok()) return n.status();
  s->merge_min_files = static_cast<size_t>(*n);
  return Status::OK();
}

Status ApplyQueueCapacity(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 1, kMaxQueueCapacity);
  if (!n.ok()) return n.status();
  s->queue_capacity = static_cast<size_t>(*n);
  return Status::OK();
}

Status ApplyOverflow(const Values& v, ServeSettings* s) {
  if (v.front() == "drop") {
    s->overflow = OverflowPolicy::kDrop;
  } else if (v.front() == "block") {
    s->overflow = OverflowPolicy::kBlock;
  } else {
    return Invalid({"expected drop or block, got ", Shown(v.front())});
  }
  return Status::OK();
}

Status ApplyWalSegmentMb(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 1, 1024);
  if (!n.ok()) return n.status();
  s->wal_segment_mb = static_cast<uint64_t>(*n);
  return Status::OK();
}

Status ApplyWalMaxMb(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 4, int64_t{1} << 30);
  if (!n.ok()) return n.status();
  s->wal_max_mb = static_cast<uint64_t>(*n);
  return Status::OK();
}

Status ApplyAck(const Values& v, ServeSettings* s) {
  Result<AckMode> mode = ParseAckMode(v.front());
  if (!mode.ok()) return Invalid({"expected durable or memory, got ", Shown(v.front())});
  s->ack = *mode;
  return Status::OK();
}

Status ApplyPartition(const Values& v, ServeSettings* s) {
  Result<Partitioning> partitioning = ParsePartitioning(v.front());
  if (!partitioning.ok()) return Invalid({"expected day, hour or none, got ", Shown(v.front())});
  s->partition = *partitioning;
  return Status::OK();
}

Status ApplyRetentionDays(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 0, kMaxRetentionDays);
  if (!n.ok()) return n.status();
  s->retention_days = static_cast<int>(*n);
  return Status::OK();
}

Status ApplyRetentionMb(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 0, kMaxRetentionMb);
  if (!n.ok()) return n.status();
  s->retention_mb = static_cast<uint64_t>(*n);
  return Status::OK();
}

Status ApplyMaxAge(const Values& v, ServeSettings* s) {
  Result<std::optional<std::chrono::seconds>> limit = ParseTimeLimit(v.front());
  if (!limit.ok()) return limit.status();
  s->max_age = *limit;
  s->max_age_given = true;
  return Status::OK();
}

Status ApplyMaxFuture(const Values& v, ServeSettings* s) {
  Result<std::optional<std::chrono::seconds>> limit = ParseTimeLimit(v.front());
  if (!limit.ok()) return limit.status();
  s->max_future = *limit;
  return Status::OK();
}

Status ApplyMaxOpenPartitions(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 1, kMaxOpenPartitions);
  if (!n.ok()) return n.status();
  s->max_open_partitions = static_cast<size_t>(*n);
  return Status::OK();
}

Status ApplyParquetCompat(const Values& v, ServeSettings* s) {
  Result<bool> on = ParseBoolean(v.front());
  if (!on.ok()) return on.status();
  s->parquet_compat = *on;
  return Status::OK();
}

Status ApplyCompaction(const Values& v, ServeSettings* s) {
  Result<bool> on = ParseBoolean(v.front());
  if (!on.ok()) return on.status();
  s->compaction = *on;
  return Status::OK();
}

Status ApplyHttpAddr(const Values& v, ServeSettings* s) {
  if (v.front() == "off") {
    s->http_address.reset();
    return Status::OK();
  }
  if (Status st = CheckNoNul(v.front()); !st.ok()) return st;
  // The longest real one, "[ipv6%zone]:65535", is far shorter; a long value is a mistake worth a short
  // message.
  if (v.front().size() > 256) return Invalid({"expected HOST:PORT or off, got ", Shown(v.front())});
  Result<http::ListenAddress> address = http::ParseListenAddress(v.front());
  if (!address.ok()) return address.status();
  s->http_address = *address;
  return Status::OK();
}

// The token is read now, so that a missing or empty file is an error at start, naming the file.
Status ApplyHttpTokenFile(const Values& v, ServeSettings* s) {
  if (v.front().empty()) {
    s->http_token.clear();
    return Status::OK();
  }
  if (Status st = CheckNoNul(v.front()); !st.ok()) return st;
  std::ifstream in(v.front(), std::ios::binary);
  if (!in) return Invalid({"cannot read ", Shown(v.front()), ": ", std::strerror(errno)});
  std::string token;
  char buffer[1024];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    token.append(buffer, static_cast<size_t>(in.gcount()));
    if (token.size() > 4096)
      return Invalid({Shown(v.front()), " is not a token file (more than 4096 bytes)"});
  }
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.front()))) token.erase(0, 1);
  if (token.empty()) return Invalid({Shown(v.front()), " holds no token"});
  for (char c : token) {
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f)
      return Invalid({"the token in ", Shown(v.front()), " contains a space or control character"});
  }
  s->http_token = std::move(token);
  return Status::OK();
}

Status ApplyHttpMaxBodyMb(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 1, 1024);
  if (!n.ok()) return n.status();
  s->http_max_body_mb = static_cast<size_t>(*n);
  return Status::OK();
}

Status ApplyHttpMaxConnections(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 1, 100000);
  if (!n.ok()) return n.status();
  s->http_max_connections = static_cast<size_t>(*n);
  return Status::OK();
}

Status ApplyHttpTimeout(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 1, 3600);
  if (!n.ok()) return n.status();
  s->http_timeout = std::chrono::seconds(*n);
  return Status::OK();
}

Status ApplyHttpThreads(const Values& v, ServeSettings* s) {
  Result<int64_t> n = ParseInRange(v.front(), 1, 64);
  if (!n.ok()) return n.status();
  s->http_threads = static_cast<unsigned>(*n);
  return Status::OK();
}

Status ApplyEsTimestampField(const Values& v, ServeSettings* s) {
  if (v.front().empty()) return Invalid({"must not be empty"});
  if (Status st = CheckNoNul(v.front()); !st.ok()) return st;
  if (v.front().size() > 256) return Invalid({"longer than 256 bytes"});
  s->es_timestamp_field = v.front();
  return Status::OK();
}

Status ApplyLogLevel(const Values& v, ServeSettings* s) {
  Result<LogLevel> level = ParseLogLevel(v.front());
  if (!level.ok()) return level.status();
  s->log_level = *level;
  return Status::OK();
}

using Kind = SettingKind;

// The table: flag, config key, default and help of every setting. docs/configuration.md and
// examples/logdaemon.toml follow it (tests/cli/serve_settings_test.cc checks that they name every key).
constexpr SettingSpec kSpecs[] = {
    {"socket", "s", "PATH", "/tmp/logdaemon.sock", "Unix socket path (at most 107 bytes)", Kind::kString,
     ApplySocket},
    {"socket-mode", "", "MODE", "0660", "Permission bits of the socket file, in octal", Kind::kMode,
     ApplySocketMode},
    {"socket-group", "", "GROUP", "",
     "Group (name or number) that owns the socket file (default: the daemon's)", Kind::kGroup,
     ApplySocketGroup},
    {"max-connections", "m", "N", "1000", "Maximum concurrent connections", Kind::kInteger,
     ApplyMaxConnections},
    {"max-message-bytes", "", "BYTES", "1MiB", "Largest frame accepted (bytes, or with a unit: 64KiB, 1MiB)",
     Kind::kSize, ApplyMaxMessageBytes},
    {"idle-timeout", "", "SECONDS", "300", "Close a connection idle (or stuck mid-frame) this long",
     Kind::kInteger, ApplyIdleTimeout},
    {"io-threads", "", "N", "cores",
     "Ingest event loops (default: the number of cores, at most as many as the ingest quarter of "
     "--memory-limit holds frames of --max-message-bytes: 14 with the defaults)",
     Kind::kInteger, ApplyIoThreads},
    {"io-backend", "", "BACKEND", "auto", "auto, uring or epoll", Kind::kString, ApplyIoBackend},
    {"memory-limit", "", "BYTES", "64MiB",
     "Memory budget; ingest buffers get a quarter, and past it the daemon stops reading until it frees",
     Kind::kSize, ApplyMemoryLimit},
    {"schema", "", "FILE", "", "JSON Schema file (default: the built-in log schema)", Kind::kString,
     ApplySchema},
    {"schema-path", "", "P", "", "Where remote $refs are found: DIR (schemas by $id) or URI=DIR; repeatable",
     Kind::kStringList, ApplySchemaPaths},
    {"time-field", "", "FIELD", "timestamp", "The date-time property that partitions the logs", Kind::kString,
     ApplyTimeField},
    {"storage", "d", "DIR", "./logs", "Storage directory for Parquet files", Kind::kString, ApplyStorage},
    {"batch-size", "b", "N", "1000", "Rows buffered per partition before a flush", Kind::kInteger,
     ApplyBatchSize},
    {"compression", "c", "CODEC", "snappy", "snappy, zstd, gzip, lz4 or none", Kind::kString,
     ApplyCompression},
    {"compression-level", "", "N", "0", "zstd 1..22, gzip 1..9; 0: the codec's default", Kind::kInteger,
     ApplyCompressionLevel},
    {"flush-interval", "f", "SECONDS", "5", "Buffered logs are written at least this often", Kind::kInteger,
     ApplyFlushInterval},
    {"rotation-mb", "r", "MB", "100", "Size of the compacted files in MB", Kind::kInteger, ApplyRotationMb},
    {"merge-min-files", "", "N", "32",
     "Flush files compaction merges at once (2..256), unless fewer fill a file: fewer, more merging",
     Kind::kInteger, ApplyMergeMinFiles},
    {"queue-capacity", "", "N", "10000", "Logs accepted but not yet written, at most", Kind::kInteger,
     ApplyQueueCapacity},
    {"overflow", "", "POLICY", "drop",
     "When the queue is full: drop (answer 'ERROR: overloaded') or block (stop reading)", Kind::kString,
     ApplyOverflow},
    {"ack", "", "MODE", "durable",
     "When OK is sent: durable (the log is in the write-ahead log on disk) or memory (a crash loses up to a "
     "flush interval)",
     Kind::kString, ApplyAck},
    {"file-mode", "", "MODE", "0640",
     "Permission bits of the Parquet files and write-ahead log segments, in octal (directories get x "
     "where files get r or w: 0750)",
     Kind::kMode, ApplyFileMode},
    {"wal-segment-mb", "", "MB", "32",
     "Size of each write-ahead log segment (preallocated; one or two per io thread while idle)",
     Kind::kInteger, ApplyWalSegmentMb},
    {"wal-max-mb", "", "MB", "1024",
     "How far the write-ahead log may grow while the writer is behind (bursts wait there, not in memory); "
     "capped at start by half the free disk space. Beyond it the overflow policy applies",
     Kind::kInteger, ApplyWalMaxMb},
    {"partition", "", "BY", "day", "Partition directories: day, hour or none", Kind::kString, ApplyPartition},
    {"retention-days", "", "N", "0", "Delete partitions older than N days (0: keep)", Kind::kInteger,
     ApplyRetentionDays},
    {"retention-mb", "", "MB", "0", "Delete the oldest files beyond this total size (0: no limit)",
     Kind::kInteger, ApplyRetentionMb},
    {"max-age", "", "AGE", "retention or 30d",
     "Refuse logs whose time field is older than this (30d, 12h, 90m, 3600s, or off); default: "
     "--retention-days when set, else 30 days",
     Kind::kDuration, ApplyMaxAge},
    {"max-future", "", "AGE", "1h", "Refuse logs whose time field is further ahead than this (or off)",
     Kind::kDuration, ApplyMaxFuture},
    {"max-open-partitions", "", "N", "64",
     "Partitions with an unflushed file at most; one more flushes the least recently written", Kind::kInteger,
     ApplyMaxOpenPartitions},
    {"parquet-compat", "", "", "false", "PLAIN and dictionary encodings only, for old Parquet readers",
     Kind::kBoolean, ApplyParquetCompat},
    {"compaction", "", "", "true",
     "Merge small files into large ones (on by default; --no-compaction: never)", Kind::kBoolean,
     ApplyCompaction},
    // Object-storage shipping (cli/ship_settings.cc, docs/shipping.md).
    {"ship-url", "", "URL", "",
     "S3 endpoint to ship sealed files to, e.g. https://s3.eu-west-1.amazonaws.com (empty: off)",
     Kind::kString, ApplyShipUrl},
    {"ship-bucket", "", "BUCKET", "", "Bucket the files go to", Kind::kString, ApplyShipBucket},
    {"ship-prefix", "", "PREFIX", "", "Object keys start with PREFIX/ (then dt=…/host=…/<file>)",
     Kind::kString, ApplyShipPrefix},
    {"ship-region", "", "REGION", "us-east-1", "Region the requests are signed for (SigV4)", Kind::kString,
     ApplyShipRegion},
    {"ship-addressing", "", "STYLE", "auto",
     "path (endpoint/bucket/key), virtual (bucket.endpoint/key), or auto (virtual for amazonaws.com)",
     Kind::kString, ApplyShipAddressing},
    {"ship-host", "", "NAME", "the host name", "The host= partition of this daemon's keys", Kind::kString,
     ApplyShipHost},
    {"ship-credentials-file", "", "FILE", "",
     "AWS shared-credentials file (profile from AWS_PROFILE); default: AWS_ACCESS_KEY_ID, "
     "AWS_SECRET_ACCESS_KEY, "
     "AWS_SESSION_TOKEN",
     Kind::kString, ApplyShipCredentialsFile},
    {"ship-after", "", "AGE", "10m", "Ship a file below the full size once it has not changed for this long",
     Kind::kDuration, ApplyShipAfter},
    {"local-retention", "", "AGE", "1d",
     "Keep shipped files on the local disk this long (unshipped files are never deleted)", Kind::kDuration,
     ApplyLocalRetention},
    {"ship-multipart-threshold", "", "BYTES", "64MiB", "Files from this size are uploaded in parts",
     Kind::kSize, ApplyShipMultipartThreshold},
    {"ship-part-size", "", "BYTES", "16MiB", "Size of each part of a multipart upload (S3: at least 5MiB)",
     Kind::kSize, ApplyShipPartSize},
    {"metrics-addr", "", "ADDR", "127.0.0.1:9100",
     "The same setting as --http-addr (its former name; --http-addr wins)", Kind::kString, ApplyHttpAddr},
    {"http-addr", "", "ADDR", "127.0.0.1:9100",
     "HTTP front door HOST:PORT (OTLP, NDJSON, Elasticsearch bulk, /metrics), or off", Kind::kString,
     ApplyHttpAddr},
    {"http-token-file", "", "FILE", "",
     "A file holding the token HTTP clients must send (Authorization: Bearer); required off loopback",
     Kind::kString, ApplyHttpTokenFile},
    {"http-max-body-mb", "", "MB", "20", "Largest HTTP request body, after decompression (413 beyond)",
     Kind::kInteger, ApplyHttpMaxBodyMb},
    {"http-max-connections", "", "N", "256", "HTTP connections at once (more are closed at once)",
     Kind::kInteger, ApplyHttpMaxConnections},
    {"http-timeout", "", "SECONDS", "30", "Close an HTTP connection that sends nothing for this long",
     Kind::kInteger, ApplyHttpTimeout},
    {"http-threads", "", "N", "2", "HTTP server threads", Kind::kInteger, ApplyHttpThreads},
    {"es-timestamp-field", "", "FIELD", "@timestamp",
     "In Elasticsearch bulk documents, the field renamed to the time field when that is absent",
     Kind::kString, ApplyEsTimestampField},
    {"log-level", "", "LEVEL", "info", "trace, debug, info, warn, error, critical or off", Kind::kString,
     ApplyLogLevel},
};

const SettingSpec* FindSpec(std::string_view name) {
  for (const SettingSpec& spec : kSpecs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// ---- The config file -------------------------------------------------------------------------------------

std::string Position(std::string_view path, const toml::source_position& position) {
  std::string out(path);
  out += ":";
  out += std::to_string(position.line);
  out += ":";
  out += std::to_string(position.column);
  return out;
}

// See kMaxDotsOutsideStrings. The scan follows TOML's four kinds of strings and its comments well enough
// to count the dots of keys and numbers; a file it misreads is one toml++ refuses as well.
Status CheckDotCount(std::string_view text, std::string_view path) {
  size_t dots = 0;
  uint32_t line = 1;
  size_t line_start = 0;
  size_t i = 0;
  const size_t n = text.size();
  auto newline = [&](size_t at) {
    ++line;
    line_start = at + 1;
  };
  while (i < n) {
    const char c = text[i];
    if (c == '\n') {
      newline(i);
      ++i;
    } else if (c == '#') {
      while (i < n && text[i] != '\n') ++i;
    } else if (c == '"' || c == '\'') {
      const bool basic = c == '"';
      if (text.substr(i, 3) == (basic ? std::string_view("\"\"\"") : std::string_view("'''"))) {
        i += 3;
        while (i < n) {
          if (basic && text[i] == '\\') {
            if (i + 1 < n && text[i + 1] == '\n') newline(i + 1);
            i += 2;
          } else if (text[i] == c && i + 2 < n && text[i + 1] == c && text[i + 2] == c) {
            i += 3;
            // A multi-line string may end with one or two quotes of its own before the closing three.
            for (int extra = 0; extra < 2 && i < n && text[i] == c; ++extra) ++i;
            break;
          } else {
            if (text[i] == '\n') newline(i);
            ++i;
          }
        }
      } else {
        ++i;
        while (i < n && text[i] != c && text[i] != '\n') i += (basic && text[i] == '\\') ? 2 : 1;
        if (i < n && text[i] == c) ++i;
      }
    } else {
      if (c == '.' && ++dots > kMaxDotsOutsideStrings) {
        toml::source_position position{line, static_cast<uint32_t>(i - line_start + 1)};
        return Invalid({Position(path, position), ": keys nested too deeply (more than ",
                        std::to_string(kMaxDotsOutsideStrings),
                        " dots outside strings); the config file is a flat list of settings"});
      }
      ++i;
    }
  }
  return Status::OK();
}

const char* TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// A config value as the text the command line would give, when it has the type `kind` expects.
Result<Values> ValuesOf(SettingKind kind, const toml::node& node) {
  auto expected = [&](std::string_view what) {
    return Invalid({"expected ", what, ", got ", TypeName(node)});
  };
  switch (kind) {
    case SettingKind::kInteger:
      if (const auto* v = node.as_integer()) return Values{std::to_string(v->get())};
      return expected("an integer");
    case SettingKind::kSize:
      if (const auto* v = node.as_integer()) return Values{std::to_string(v->get())};
      if (const auto* v = node.as_string()) return Values{v->get()};
      return expected("an integer (bytes) or a string with a unit (\"64KiB\")");
    case SettingKind::kString:
      if (const auto* v = node.as_string()) return Values{v->get()};
      return expected("a string");
    case SettingKind::kBoolean:
      if (const auto* v = node.as_boolean()) return Values{v->get() ? "true" : "false"};
      return expected("true or false");
    case SettingKind::kStringList: {
      if (const auto* v = node.as_string()) return Values{v->get()};
      const auto* array = node.as_array();
      if (array == nullptr) return expected("an array of strings");
      Values values;
      for (const toml::node& element : *array) {
        const auto* s = element.as_string();
        if (s == nullptr) return Invalid({"expected an array of strings, got ", TypeName(element), " in it"});
        values.push_back(s->get());
      }
      return values;
    }
    case SettingKind::kMode:
      if (const auto* v = node.as_string()) return Values{v->get()};
      if (const auto* v = node.as_integer()) {
        // 0o660 is the mode; a decimal 660 would silently be 0o1224, so it is refused.
        if ((v->flags() & toml::value_flags::format_as_octal) == toml::value_flags::none) {
          return Invalid({"write the mode in octal, as \"0660\" or 0o660, got ", std::to_string(v->get())});
        }
        char octal[32];
        auto [end, error] = std::to_chars(octal, octal + sizeof(octal), v->get(), 8);
        if (error != std::errc()) return Invalid({"unreadable mode"});
        return Values{std::string(octal, end)};
      }
      return expected("an octal mode (\"0660\" or 0o660)");
    case SettingKind::kGroup:
      if (const auto* v = node.as_string()) return Values{v->get()};
      if (const auto* v = node.as_integer()) return Values{std::to_string(v->get())};
      return expected("a group name or number");
    case SettingKind::kDuration:
      if (const auto* v = node.as_string()) return Values{v->get()};
      if (const auto* v = node.as_integer()) return Values{std::to_string(v->get())};
      return expected("a duration (\"30d\", \"1h\", \"off\") or an integer (seconds)");
  }
  return expected("a value");
}

// "batch_size" → "batch-size": a likely slip, worth a hint.
std::string Suggestion(std::string_view key) {
  std::string dashed(key);
  std::replace(dashed.begin(), dashed.end(), '_', '-');
  std::transform(dashed.begin(), dashed.end(), dashed.begin(), Lower);
  if (dashed != key && FindSpec(dashed) != nullptr) return Cat({" (did you mean '", dashed, "'?)"});
  if (key == "config") return " (a config file cannot name another one)";
  return "";
}

bool Before(const toml::source_position& a, const toml::source_position& b) {
  return a.line != b.line ? a.line < b.line : a.column < b.column;
}

Status ApplyTable(const toml::table& table, std::string_view path, ServeSettings* settings) {
  // In file order, so that the first error reported is the first one in the file.
  std::vector<std::pair<const toml::key*, const toml::node*>> entries;
  for (const auto& [key, node] : table) entries.emplace_back(&key, &node);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return Before(a.first->source().begin, b.first->source().begin);
  });
  for (const auto& [key, node] : entries) {
    std::string_view name = key->str();
    const SettingSpec* spec = FindSpec(name);
    if (spec == nullptr) {
      std::string hint =
          node->is_table() ? " (there are no tables: every setting is a top-level key)" : Suggestion(name);
      return Invalid({Position(path, key->source().begin), ": unknown key ", Shown(name), hint});
    }
    std::string where = Cat({Position(path, node->source().begin), ": ", name});
    Result<Values> values = ValuesOf(spec->kind, *node);
    if (!values.ok()) return values.status().WithContext(where);
    if (spec->kind != SettingKind::kStringList && values->size() != 1) {
      return Invalid({where, ": expected one value"});
    }
    if (Status st = spec->apply(*values, settings); !st.ok()) return st.WithContext(where);
  }
  return Status::OK();
}

Result<std::string> ReadConfigFile(const std::string& path) {
  auto failed = [&](int error) {
    return Invalid({"cannot read config file ", Shown(path), ": ", std::strerror(error)});
  };
  if (path.find('\0') != std::string::npos) return Invalid({"config file name must not contain a NUL byte"});
  // O_NONBLOCK: opening a FIFO must not wait for a writer; a FIFO is refused below anyway.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return failed(errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int error = errno;
    ::close(fd);
    return failed(error);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Invalid({"config file ", Shown(path), " is not a regular file"});
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxConfigBytes) {
    ::close(fd);
    return Invalid(
        {"config file ", Shown(path), " is larger than ", std::to_string(kMaxConfigBytes >> 20), " MiB"});
  }
  std::string text;
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      return failed(error);
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > kMaxConfigBytes) {  // it grew since fstat
      ::close(fd);
      return Invalid(
          {"config file ", Shown(path), " is larger than ", std::to_string(kMaxConfigBytes >> 20), " MiB"});
    }
  }
  ::close(fd);
  return text;
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kCritical:
      return "critical";
    case LogLevel::kOff:
      return "off";
  }
  return "info";
}

std::string HttpAddressText(const std::optional<http::ListenAddress>& address) {
  if (!address) return "off";
  std::string out;
  bool ipv6 = address->host.find(':') != std::string::npos;
  if (ipv6) out += "[";
  out += address->host;
  if (ipv6) out += "]";
  out += ":";
  out += std::to_string(address->port);
  return out;
}

Result<std::optional<std::chrono::seconds>> ParseTimeLimit(std::string_view text) {
  if (EqualsIgnoringCase(text, "off")) return std::optional<std::chrono::seconds>();
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const std::string_view unit = text.substr(digits);
  int64_t unit_seconds = 0;
  if (unit.empty() || unit == "s") {
    unit_seconds = 1;
  } else if (unit == "m") {
    unit_seconds = 60;
  } else if (unit == "h") {
    unit_seconds = 3'600;
  } else if (unit == "d") {
    unit_seconds = 86'400;
  }
  if (digits == 0 || unit_seconds == 0) {
    return Invalid({"expected a duration such as 30d, 12h, 90m or 3600s, or off, got ", Shown(text)});
  }
  uint64_t number = 0;
  auto [stop, error] = std::from_chars(text.data(), text.data() + digits, number);
  if (error != std::errc() || number > static_cast<uint64_t>(kMaxTimeLimitSeconds / unit_seconds)) {
    return Invalid(
        {"must be at most ", std::to_string(kMaxTimeLimitSeconds / 86'400), "d, got ", Shown(text)});
  }
  // 0 would refuse nearly every log; whoever writes it most likely means "no limit" (as with
  // --retention-days 0), which is spelled out.
  if (number == 0) return Invalid({"must be at least 1s (off turns the limit off), got ", Shown(text)});
  return std::optional<std::chrono::seconds>(static_cast<int64_t>(number) * unit_seconds);
}

std::string TimeLimitText(const std::optional<std::chrono::seconds>& limit) {
  if (!limit) return "off";
  const int64_t seconds = limit->count();
  for (auto [unit_seconds, unit] : {std::pair<int64_t, const char*>{86'400, "d"}, {3'600, "h"}, {60, "m"}}) {
    if (seconds != 0 && seconds % unit_seconds == 0) return std::to_string(seconds / unit_seconds) + unit;
  }
  return std::to_string(seconds) + "s";
}

std::optional<std::chrono::seconds> ServeSettings::EffectiveMaxAge() const {
  if (max_age_given) return max_age;
  // Logs older than the retention would be deleted at its next pass; without one, a month of late logs.
  const int64_t days = retention_days > 0 ? retention_days : 30;
  return std::chrono::seconds(days * 86'400);
}

ServerOptions ServeSettings::ToServerOptions() const {
  ServerOptions options;
  options.socket_path = socket;
  options.socket_mode = socket_mode;
  options.socket_group = socket_group;
  options.max_connections = max_connections;
  options.max_message_bytes = max_message_bytes;
  options.idle_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(idle_timeout);
  options.io_threads = io_threads;
  options.io_backend = io_backend;
  options.memory_limit = memory_limit;
  return options;
}

StorageOptions ServeSettings::ToStorageOptions() const {
  StorageOptions options;
  options.directory = storage;
  options.compression = compression;
  options.compression_level = compression_level;
  options.batch_size = batch_size;
  options.flush_interval = std::chrono::duration_cast<std::chrono::milliseconds>(flush_interval);
  options.rotation_bytes = rotation_mb << 20;
  options.compaction = compaction;
  options.merge_min_files = merge_min_files;
  options.queue_capacity = queue_capacity;
  options.overflow = overflow;
  options.ack = ack;
  options.wal_segment_bytes = wal_segment_mb << 20;
  options.wal_max_bytes = wal_max_mb << 20;
  options.file_mode = file_mode;
  options.partitioning = partition;
  options.retention_days = retention_days;
  options.retention_bytes = retention_mb << 20;
  options.parquet_compat = parquet_compat;
  options.max_age = EffectiveMaxAge();
  options.max_future = max_future;
  options.max_open_partitions = max_open_partitions;
  const MemoryShares shares = MemoryShares::Of(memory_limit);
  options.writer_memory_bytes = shares.writer;
  options.merge_memory_bytes = shares.compaction;
  return options;
}

SchemaOptions ServeSettings::ToSchemaOptions() const {
  SchemaOptions options;
  options.schema_paths = schema_paths;
  options.time_field = time_field;
  options.time_field_explicit = time_field_explicit;
  return options;
}

std::span<const SettingSpec> ServeSettingSpecs() {
  return kSpecs;
}

Status ApplyConfigText(std::string_view text, std::string_view path, ServeSettings* settings) {
  if (Status st = CheckDotCount(text, path); !st.ok()) return st;
  toml::table table;
  try {
    table = toml::parse(text, path);
  } catch (const toml::parse_error& error) {
    return Invalid({Position(path, error.source().begin), ": ", error.description()});
  }
  return ApplyTable(table, path, settings);
}

Status ApplyConfigFile(const std::string& path, ServeSettings* settings) {
  Result<std::string> text = ReadConfigFile(path);
  if (!text.ok()) return text.status();
  return ApplyConfigText(*text, path, settings);
}

Status CheckServeSettings(const ServeSettings& settings) {
  if (Status st = CheckMemoryLimit(settings.ToServerOptions()); !st.ok()) return st;
  if (settings.wal_max_mb < 4 * settings.wal_segment_mb) {
    return Invalid({"wal-max-mb: must be at least 4 segments (4 x --wal-segment-mb = ",
                    std::to_string(4 * settings.wal_segment_mb), "), got ",
                    std::to_string(settings.wal_max_mb)});
  }
  if (Status st = CheckShipSettings(settings); !st.ok()) return st;
  if (Status st = CheckCompressionLevel(settings.compression, settings.compression_level); !st.ok()) {
    return Invalid({"compression-level: ", st.message()});
  }
  return Status::OK();
}

// ---- The command line ------------------------------------------------------------------------------------

struct ServeCommandLine::Flag {
  const SettingSpec* spec = nullptr;
  CLI::Option* option = nullptr;
  std::string value;  // scalars and booleans (the last one given wins)
  Values values;      // lists
};

ServeCommandLine::ServeCommandLine(CLI::App& command) {
  config_option_ =
      command
          .add_option("--config", config_file_,
                      "TOML file of settings, keyed by the long flag names; flags given here win")
          ->type_name("FILE");
  for (const SettingSpec& spec : kSpecs) {
    auto flag = std::make_unique<Flag>();
    flag->spec = &spec;
    std::string names;
    if (!spec.short_name.empty()) names = Cat({"-", spec.short_name, ","});
    names += Cat({"--", spec.name});
    std::string help(spec.help);
    switch (spec.kind) {
      case SettingKind::kBoolean:
        names += Cat({",!--no-", spec.name});
        flag->option = command.add_flag(names, flag->value, help);
        break;
      case SettingKind::kStringList:
        flag->option = command.add_option(names, flag->values, help)->type_name(std::string(spec.value_name));
        break;
      default:
        flag->option = command.add_option(names, flag->value, help)
                           ->type_name(std::string(spec.value_name))
                           ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
        break;
    }
    if (!spec.default_text.empty() && spec.kind != SettingKind::kBoolean) {
      flag->option->default_str(std::string(spec.default_text));
    }
    flags_.push_back(std::move(flag));
  }
}

ServeCommandLine::~ServeCommandLine() = default;

Result<ServeSettings> ServeCommandLine::Resolve() const {
  ServeSettings settings;
  if (config_option_->count() > 0) {
    Status st = ApplyConfigFile(config_file_, &settings);
    if (!st.ok()) return st.WithContext("--config");
    settings.config_file = config_file_;
  }
  for (const auto& flag : flags_) {
    if (flag->option->count() == 0) continue;
    Values values = flag->spec->kind == SettingKind::kStringList ? flag->values : Values{flag->value};
    Status st = flag->spec->apply(values, &settings);
    if (!st.ok()) return st.WithContext(Cat({"--", flag->spec->name}));
  }
  if (Status st = CheckServeSettings(settings); !st.ok()) return st;
  return settings;
}

}  // namespace logdaemon::cli
