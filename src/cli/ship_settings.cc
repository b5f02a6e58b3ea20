#include "cli/ship_settings.h"

#include <unistd.h>

#include <charconv>
#include <climits>

#include "ship/object_key.h"
#include "ship/s3_client.h"
#include "ship/s3_response.h"

namespace logdaemon::cli {

namespace {

using Values = std::vector<std::string>;

constexpr int64_t kMaxShipAgeSeconds = int64_t{36'500} * 86'400;
constexpr uint64_t kMinPartBytes = uint64_t{1} << 10;  // S3 itself wants 5 MiB but for the last part
constexpr uint64_t kMaxPartBytes = uint64_t{5} << 30;  // S3's largest part

std::string Shown(std::string_view text) {
  std::string out = "'";
  out.append(ship::Printable(text, 64)).append("'");
  return out;
}

Status CheckText(std::string_view text, size_t max) {
  if (text.find('\0') != std::string_view::npos)
    return Status::InvalidArgument("must not contain a NUL byte");
  if (text.size() > max) return Status::InvalidArgument("must be at most " + std::to_string(max) + " bytes");
  return Status::OK();
}

Result<std::chrono::seconds> ParseAge(std::string_view text) {
  Result<std::optional<std::chrono::seconds>> limit = ParseTimeLimit(text);
  if (!limit.ok()) return limit.status();
  if (!*limit)
    return Status::InvalidArgument("expected a duration such as 10m, 1h or 1d, got " + Shown(text));
  if ((*limit)->count() > kMaxShipAgeSeconds) return Status::InvalidArgument("must be at most 36500d");
  return **limit;
}

// "16777216", "16MiB", "64KiB", "1GiB" (K, M, G alone mean the same powers of 1024).
Result<uint64_t> ParsePartBytes(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  std::string_view unit = text.substr(digits);
  int shift = -1;
  if (unit.empty() || unit == "B") shift = 0;
  if (unit == "K" || unit == "KiB") shift = 10;
  if (unit == "M" || unit == "MiB") shift = 20;
  if (unit == "G" || unit == "GiB") shift = 30;
  uint64_t number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + digits, number);
  if (digits == 0 || shift < 0 || error != std::errc() || end != text.data() + digits) {
    return Status::InvalidArgument(
        "expected a number of bytes, optionally with a unit (KiB, MiB, GiB), got " + Shown(text));
  }
  if (number > (kMaxPartBytes >> shift) || (number << shift) < kMinPartBytes) {
    return Status::InvalidArgument("must be between 1KiB and 5GiB, got " + Shown(text));
  }
  return number << shift;
}

}  // namespace

Status ApplyShipUrl(const Values& v, ServeSettings* s) {
  if (Status st = CheckText(v.front(), 1024); !st.ok()) return st;
  if (!v.front().empty()) {
    // The bucket is checked with it later (CheckShipSettings); the URL's own form now.
    Result<ship::S3Endpoint> endpoint =
        ship::ParseEndpoint(v.front(), "bucket", "us-east-1", ship::Addressing::kPath);
    if (!endpoint.ok()) return endpoint.status();
  }
  s->ship.url = v.front();
  return Status::OK();
}

Status ApplyShipBucket(const Values& v, ServeSettings* s) {
  if (Status st = CheckText(v.front(), 63); !st.ok()) return st;
  s->ship.bucket = v.front();
  return Status::OK();
}

Status ApplyShipPrefix(const Values& v, ServeSettings* s) {
  if (Status st = ship::CheckPrefix(v.front()); !st.ok()) return st;
  s->ship.prefix = v.front();
  return Status::OK();
}

Status ApplyShipRegion(const Values& v, ServeSettings* s) {
  if (Status st = CheckText(v.front(), 64); !st.ok()) return st;
  bool ok = !v.front().empty();
  for (char c : v.front()) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  if (!ok) return Status::InvalidArgument("expected a region such as eu-west-1, got " + Shown(v.front()));
  s->ship.region = v.front();
  return Status::OK();
}

Status ApplyShipAddressing(const Values& v, ServeSettings* s) {
  for (ship::Addressing a : {ship::Addressing::kAuto, ship::Addressing::kPath, ship::Addressing::kVirtual}) {
    if (v.front() == ship::AddressingName(a)) {
      s->ship.addressing = a;
      return Status::OK();
    }
  }
  return Status::InvalidArgument("expected auto, path or virtual, got " + Shown(v.front()));
}

Status ApplyShipHost(const Values& v, ServeSettings* s) {
  if (!v.front().empty()) {
    if (Status st = ship::CheckHost(v.front()); !st.ok()) return st;
  }
  s->ship.host = v.front();
  return Status::OK();
}

Status ApplyShipCredentialsFile(const Values& v, ServeSettings* s) {
  if (Status st = CheckText(v.front(), 4096); !st.ok()) return st;
  s->ship.credentials_file = v.front();
  return Status::OK();
}

Status ApplyShipAfter(const Values& v, ServeSettings* s) {
  Result<std::chrono::seconds> age = ParseAge(v.front());
  if (!age.ok()) return age.status();
  s->ship.ship_after = *age;
  return Status::OK();
}

Status ApplyLocalRetention(const Values& v, ServeSettings* s) {
  Result<std::chrono::seconds> age = ParseAge(v.front());
  if (!age.ok()) return age.status();
  s->ship.local_retention = *age;
  return Status::OK();
}

Status ApplyShipMultipartThreshold(const Values& v, ServeSettings* s) {
  Result<uint64_t> bytes = ParsePartBytes(v.front());
  if (!bytes.ok()) return bytes.status();
  s->ship.multipart_threshold = *bytes;
  return Status::OK();
}

Status ApplyShipPartSize(const Values& v, ServeSettings* s) {
  Result<uint64_t> bytes = ParsePartBytes(v.front());
  if (!bytes.ok()) return bytes.status();
  s->ship.part_size = *bytes;
  return Status::OK();
}

Status CheckShipSettings(const ServeSettings& settings) {
  const ship::ShipOptions& o = settings.ship;
  if (!o.enabled()) return Status::OK();
  if (o.bucket.empty()) return Status::InvalidArgument("--ship-url: needs --ship-bucket");
  Result<ship::S3Endpoint> endpoint = ship::ParseEndpoint(o.url, o.bucket, o.region, o.addressing);
  if (!endpoint.ok()) return endpoint.status().WithContext("--ship-bucket");
  return Status::OK();
}

Result<ship::ShipOptions> ShipOptionsFor(const ServeSettings& settings) {
  ship::ShipOptions options = settings.ship;
  if (options.host.empty()) {
    char name[HOST_NAME_MAX + 1] = {};
    if (::gethostname(name, sizeof name - 1) != 0) {
      return Status::InvalidArgument("--ship-host: this machine's host name cannot be read; give one");
    }
    options.host = name;
    if (Status st = ship::CheckHost(options.host); !st.ok()) {
      return st.WithContext("--ship-host (this machine's host name does not fit in a key; give one)");
    }
  }
  const uint64_t rotation = settings.rotation_mb << 20;
  options.full_bytes = rotation / 20 * 17;  // 85 %, as the compactor counts a file full
  options.compaction = settings.compaction;
  return options;
}

}  // namespace logdaemon::cli
