#include "ship/ship_metrics.h"

#include "metrics/exposition.h"

namespace logdaemon::ship {

namespace {

double D(const std::atomic<uint64_t>& value) {
  return static_cast<double>(value.load(std::memory_order_relaxed));
}

uint64_t TotalErrors(const ShipCounters& counters) {
  uint64_t total = 0;
  for (const auto& count : counters.errors) total += count.load(std::memory_order_relaxed);
  return total;
}

}  // namespace

std::string_view ErrorReasonName(ErrorReason reason) {
  switch (reason) {
    case ErrorReason::kConnect:
      return "connect";
    case ErrorReason::kTimeout:
      return "timeout";
    case ErrorReason::kServer:
      return "server";
    case ErrorReason::kClient:
      return "client";
    case ErrorReason::kChecksum:
      return "checksum";
    case ErrorReason::kLocal:
      return "local";
    case ErrorReason::kProtocol:
      return "protocol";
  }
  return "unknown";
}

void AppendShipMetrics(const ShipCounters& c, std::string* page) {
  metrics::TextExposition out;
  out.Counter("logdaemon_ship_files_total", "Files shipped to object storage (confirmed by the server).",
              D(c.files_shipped));
  out.Counter("logdaemon_ship_bytes_total", "Bytes of the files shipped to object storage.",
              D(c.bytes_shipped));
  out.Counter("logdaemon_ship_parts_total", "Parts of multipart uploads confirmed by the server.",
              D(c.parts_uploaded));
  for (size_t i = 0; i < kErrorReasons; ++i) {
    out.Counter("logdaemon_ship_errors_total",
                "Failed object-storage requests, by reason (each is retried; client errors slowly).",
                D(c.errors[i]), {{"reason", ErrorReasonName(static_cast<ErrorReason>(i))}});
  }
  out.Counter("logdaemon_ship_local_deletes_total",
              "Shipped files deleted from the local disk after --local-retention.",
              D(c.files_deleted_locally));
  out.Gauge("logdaemon_ship_backlog_files", "Sealed local files not shipped yet.", D(c.backlog_files));
  out.Gauge("logdaemon_ship_backlog_bytes", "Bytes of the sealed local files not shipped yet.",
            D(c.backlog_bytes));
  out.Gauge("logdaemon_ship_backlog_oldest_seconds",
            "Age of the oldest local file not shipped yet (since it was sealed), seconds; 0 when none.",
            D(c.backlog_oldest_seconds));
  out.Gauge("logdaemon_ship_last_success_timestamp_seconds",
            "When the latest file was shipped (Unix seconds); 0 before the first.",
            static_cast<double>(c.last_success_unix.load(std::memory_order_relaxed)));
  page->append(out.text());
}

std::string ShipStatsLine(const ShipCounters& c) {
  auto pair = [](std::string& line, std::string_view key, uint64_t value) {
    line.append(" ").append(key).append("=").append(std::to_string(value));
  };
  std::string line;
  pair(line, "shipped_files", c.files_shipped.load(std::memory_order_relaxed));
  pair(line, "shipped_bytes", c.bytes_shipped.load(std::memory_order_relaxed));
  pair(line, "ship_backlog_files", c.backlog_files.load(std::memory_order_relaxed));
  pair(line, "ship_backlog_bytes", c.backlog_bytes.load(std::memory_order_relaxed));
  pair(line, "ship_backlog_oldest_s", c.backlog_oldest_seconds.load(std::memory_order_relaxed));
  pair(line, "ship_errors", TotalErrors(c));
  return line;
}

}  // namespace logdaemon::ship
