// What the daemon exposes about itself: the /metrics body and the SIGUSR1 statistics line, from one
// snapshot of the server's and the storage engine's counters.
//
// Metric names: the original spec's five keep their names and types (log_daemon_ingest_count,
// log_daemon_bytes_processed = bytes written to disk, log_daemon_dropped_messages,
// log_daemon_write_latency_ms histogram, log_daemon_active_connections); every other one follows
// Prometheus conventions: logdaemon_ prefix, _total counters, base units, a `reason` label on rejections.
// The process_* metrics keep the names, types and help texts of the official client libraries.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "logdaemon/server.h"
#include "logdaemon/storage.h"
#include "metrics/process_metrics.h"

namespace logdaemon::ingest {

struct BuildInfo {
  std::string version;     // "0.1.0"
  std::string revision;    // git sha
  std::string io_backend;  // "uring" | "epoll"
};

// `process`: the daemon's process metrics (metrics::ReadProcessMetrics); when absent (they could not be
// read) the process_* families are left out rather than shown as zeros.
std::string RenderMetrics(const ServerStats& server, const StorageStats& storage, const BuildInfo& build,
                          const std::optional<metrics::ProcessMetrics>& process);

// One line, key=value pairs: "connections=3 received=120 ok=118 rejected=2 dropped=0 … files=4 …".
std::string StatsLine(const ServerStats& server, const StorageStats& storage);

}  // namespace logdaemon::ingest
