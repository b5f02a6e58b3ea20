// ShipCounters: what the uploader (ship/uploader.h) counts, read by /metrics and the SIGUSR1 stats line
// (ship/ship_metrics.h). The uploader thread writes; any thread reads.
//
// Thread-safety: relaxed atomics (each value on its own; a reader may see one update before another).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace logdaemon::ship {

// Why an upload attempt failed (the `reason` label of logdaemon_ship_errors_total).
enum class ErrorReason : uint8_t {
  kConnect,   // the endpoint could not be reached (refused, DNS, TLS)
  kTimeout,   // no answer in time
  kServer,    // 5xx, 429 (retried)
  kClient,    // another 4xx: the request is wrong (credentials, bucket, permissions); retried slowly
  kChecksum,  // the answer's ETag is not the file's checksum
  kLocal,     // the local file could not be read
  kProtocol,  // an answer we cannot use (no ETag, no upload id, malformed XML)
};
inline constexpr size_t kErrorReasons = 7;
std::string_view ErrorReasonName(ErrorReason reason);  // "connect", "timeout", …

struct ShipCounters {
  std::atomic<uint64_t> files_shipped{0};
  std::atomic<uint64_t> bytes_shipped{0};
  std::atomic<uint64_t> parts_uploaded{0};
  std::atomic<uint64_t> files_deleted_locally{0};  // shipped files removed after --local-retention
  std::array<std::atomic<uint64_t>, kErrorReasons> errors{};
  // Gauges at the latest scan: visible files not shipped yet, their bytes, and the age (seconds) of the
  // oldest (by its modification time).
  std::atomic<uint64_t> backlog_files{0};
  std::atomic<uint64_t> backlog_bytes{0};
  std::atomic<uint64_t> backlog_oldest_seconds{0};
  // The wall-clock time (Unix seconds) of the latest successful upload; 0: none yet.
  std::atomic<int64_t> last_success_unix{0};

  void CountError(ErrorReason reason) {
    errors[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
  }
};

}  // namespace logdaemon::ship
