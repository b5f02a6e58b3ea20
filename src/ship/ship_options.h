// ShipOptions: where and when the uploader (ship/uploader.h) ships sealed Parquet files — the settings
// of `serve --ship-*` and `--local-retention` (docs/shipping.md). Plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace logdaemon::ship {

enum class Addressing {
  kAuto,     // virtual-host for *.amazonaws.com endpoints, path-style for every other (MinIO, Ceph, R2, …)
  kPath,     // https://endpoint/bucket/key
  kVirtual,  // https://bucket.endpoint/key
};
std::string_view AddressingName(Addressing addressing);  // "auto", "path", "virtual"

struct ShipOptions {
  // The S3 endpoint, "http(s)://host[:port]" (no path); empty: shipping is off.
  std::string url;
  std::string bucket;
  std::string prefix;  // object keys start with "<prefix>/" (no leading or trailing '/'; may be empty)
  std::string region = "us-east-1";
  Addressing addressing = Addressing::kAuto;
  // The `host=` partition of every key (default: this machine's host name).
  std::string host;
  // A file of AWS's shared-credentials form; empty: the environment (ship/credentials.h).
  std::string credentials_file;
  // A sealed file below the full size is shipped once it has not changed for this long (a file that
  // is full is shipped at once: compaction never merges it again).
  std::chrono::seconds ship_after{600};
  // How long a shipped file stays on the local disk (unshipped files are never deleted).
  std::chrono::seconds local_retention{86'400};
  // Files from this size go up in parts of part_size (S3 wants parts of at least 5 MiB but the last).
  uint64_t multipart_threshold = uint64_t{64} << 20;
  uint64_t part_size = uint64_t{16} << 20;
  // Files from this size are full (compaction never merges them again): 85 % of the rotation size.
  uint64_t full_bytes = uint64_t{85} << 20;
  // Compaction off: files are never merged, so every sealed file is final at once.
  bool compaction = true;
  // Each request's limit, and the longest wait between two attempts of a failing one.
  std::chrono::seconds request_timeout{300};
  std::chrono::milliseconds max_backoff{60'000};
  // How often the storage directory is looked at.
  std::chrono::milliseconds scan_interval{1000};

  bool enabled() const { return !url.empty(); }
};

}  // namespace logdaemon::ship
