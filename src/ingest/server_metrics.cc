// The daemon's /metrics body and SIGUSR1 line (server_metrics.h), from one snapshot of the server's and
// the storage engine's counters. docs/metrics.md describes every metric; keep the two in step.
//
// Thread-safety: pure functions.
#include "ingest/server_metrics.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <span>
#include <vector>

#include "metrics/exposition.h"

namespace logdaemon::ingest {
namespace {

constexpr size_t kLatencyBucketCount = std::size(StorageStats::kLatencyBoundsMs) + 1;

double D(uint64_t value) {
  return static_cast<double>(value);
}

// The storage engine's per-bucket flush latency counts, exactly one per bound plus +Inf: an engine that
// has not filled the vector yet reads as no observations, and (defensively) extra entries count as +Inf.
std::vector<uint64_t> LatencyBuckets(const StorageStats& storage) {
  std::vector<uint64_t> buckets(kLatencyBucketCount, 0);
  for (size_t i = 0; i < storage.flush_latency_counts.size(); ++i) {
    buckets[std::min(i, kLatencyBucketCount - 1)] += storage.flush_latency_counts[i];
  }
  return buckets;
}

// The q-quantile of a bucketed distribution, estimated as PromQL's histogram_quantile does: linear
// interpolation inside the bucket that holds the rank, the first bucket starting at 0, and the highest
// finite bound when the rank falls in the +Inf bucket. REQUIRES: at least one observation.
double EstimateQuantile(double q, std::span<const uint64_t> buckets) {
  uint64_t total = 0;
  for (uint64_t count : buckets) total += count;
  const double rank = q * static_cast<double>(total);
  const std::span<const double> bounds(StorageStats::kLatencyBoundsMs);
  uint64_t below = 0;
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (static_cast<double>(below + buckets[i]) >= rank && buckets[i] > 0) {
      const double lower = i == 0 ? 0 : bounds[i - 1];
      return lower +
             (bounds[i] - lower) * (rank - static_cast<double>(below)) / static_cast<double>(buckets[i]);
    }
    below += buckets[i];
  }
  return bounds.back();
}

// The process metrics every official Prometheus client library exports, with their names, types and help
// texts (https://prometheus.io/docs/instrumenting/writing_clientlibs/#process-metrics).
void RenderProcessMetrics(metrics::TextExposition& out, const metrics::ProcessMetrics& process) {
  out.Counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
              process.cpu_seconds);
  out.Gauge("process_open_fds", "Number of open file descriptors.", D(process.open_fds));
  out.Gauge("process_max_fds", "Maximum number of open file descriptors.", D(process.max_fds));
  out.Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", D(process.virtual_memory_bytes));
  out.Gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
            D(process.resident_memory_bytes));
  out.Gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
            process.start_time_seconds);
}

void AppendPair(std::string& line, const char* key, uint64_t value) {
  if (!line.empty()) line.push_back(' ');
  line.append(key).append("=").append(std::to_string(value));
}

void AppendMilliseconds(std::string& line, const char* key, double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f", value);
  line.append(" ").append(key).append("=").append(text);
}

}  // namespace

std::string RenderMetrics(const ServerStats& server, const StorageStats& storage, const BuildInfo& build,
                          const std::optional<metrics::ProcessMetrics>& process) {
  metrics::TextExposition out;

  // The original specification's five, with its names and types.
  out.Counter("log_daemon_ingest_count",
              "Logs received: every frame answered, whether accepted, rejected or dropped.",
              D(server.frames_received));
  out.Counter("log_daemon_bytes_processed",
              "Bytes of Parquet files written to disk (flush and merged files).", D(storage.bytes_written));
  out.Counter("log_daemon_dropped_messages",
              "Logs dropped because the buffer was full (answered \"ERROR: overloaded\").",
              D(server.logs_dropped));
  const std::vector<uint64_t> latency = LatencyBuckets(storage);
  out.Histogram("log_daemon_write_latency_ms",
                "Latency of Parquet flushes in milliseconds, from encoded to durable and visible.",
                StorageStats::kLatencyBoundsMs, latency, storage.flush_latency_sum_ms);
  out.Gauge("log_daemon_active_connections", "Client connections open now.", D(server.connections_active));

  // Ingest.
  out.Counter("logdaemon_logs_accepted_total", "Logs answered OK: validated and admitted to the buffer.",
              D(server.logs_accepted));
  for (size_t i = 0; i < kRejectReasonCount; ++i) {
    out.Counter("logdaemon_logs_rejected_total",
                "Frames answered ERROR because of the frame itself, by reason.", D(server.logs_rejected[i]),
                {{"reason", RejectReasonLabel(static_cast<RejectReason>(i))}});
  }
  out.Counter("logdaemon_logs_dropped_total", "Valid logs not stored because the buffer was full, by reason.",
              D(server.logs_dropped), {{"reason", "overloaded"}});
  out.Counter("logdaemon_bytes_received_total", "Bytes read from client sockets.", D(server.bytes_received));
  out.Counter("logdaemon_connections_accepted_total", "Client connections accepted.",
              D(server.connections_accepted));
  out.Counter("logdaemon_connections_refused_total",
              "Client connections refused (answered \"ERROR: too many connections\" and closed), by reason.",
              D(server.connections_refused), {{"reason", "max_connections"}});
  out.Counter("logdaemon_connections_timed_out_total", "Client connections closed after the idle timeout.",
              D(server.connections_timed_out));
  out.Counter(
      "logdaemon_reads_paused_total",
      "Times the server stopped reading a connection: its replies were unread, or the buffer was full "
      "under --overflow block.",
      D(server.reads_paused));
  out.Counter("logdaemon_reads_deferred_total",
              "Times the server stopped reading a connection because the ingest memory budget had no room "
              "for its next frame (or reply); it reads on once the budget frees.",
              D(server.reads_deferred));

  // Memory (DESIGN.md §3): the budget's use and limit per part of the daemon.
  constexpr std::string_view kMemoryHelp =
      "Bytes of the memory budget in use, by part (ingest: partial frames and replies beyond each "
      "connection's allowance; writer: encoded flush files, open, queued and spare; compaction: the merge "
      "in progress).";
  out.Gauge("logdaemon_memory_bytes", kMemoryHelp, D(server.memory_ingest_bytes), {{"part", "ingest"}});
  out.Gauge("logdaemon_memory_bytes", kMemoryHelp, D(storage.writer_memory_bytes), {{"part", "writer"}});
  out.Gauge("logdaemon_memory_bytes", kMemoryHelp, D(storage.compaction_memory_bytes),
            {{"part", "compaction"}});
  constexpr std::string_view kLimitHelp = "The memory budget's share of each part of the daemon, in bytes.";
  out.Gauge("logdaemon_memory_limit_bytes", kLimitHelp, D(server.memory_ingest_limit_bytes),
            {{"part", "ingest"}});
  out.Gauge("logdaemon_memory_limit_bytes", kLimitHelp, D(storage.writer_memory_limit), {{"part", "writer"}});
  out.Gauge("logdaemon_memory_limit_bytes", kLimitHelp, D(storage.compaction_memory_limit),
            {{"part", "compaction"}});
  out.Gauge("logdaemon_memory_budget_bytes", "The whole memory budget (--memory-limit), in bytes.",
            D(server.memory_limit_bytes));

  // Storage.
  out.Gauge("logdaemon_queue_logs", "Logs accepted but not yet encoded into a file.", D(storage.queued_logs));
  out.Gauge("logdaemon_queue_pending_files", "Encoded files waiting to be written.",
            D(storage.pending_files));
  out.Counter("logdaemon_rows_written_total", "Rows in durable flush files.", D(storage.rows_written));
  out.Counter("logdaemon_files_written_total", "Flush files made visible.", D(storage.files_written));
  out.Counter("logdaemon_written_bytes_total",
              "Bytes of Parquet files made visible (flush and merged files).", D(storage.bytes_written));
  out.Counter("logdaemon_compactions_total", "Merged files made visible by compaction.",
              D(storage.compactions));
  out.Gauge("logdaemon_compaction_backlog_files",
            "Flush files not merged yet in the partition with the most, at the compactor's last listing.",
            D(storage.compaction_backlog));
  out.Counter("logdaemon_files_compacted_total", "Files superseded by a merged file.",
              D(storage.files_compacted));
  out.Counter("logdaemon_files_deleted_by_retention_total", "Files deleted by the retention policy.",
              D(storage.files_deleted_by_retention));
  out.Counter("logdaemon_write_errors_total", "Failed write, fsync or rename attempts (each is retried).",
              D(storage.write_errors));

  constexpr std::string_view kLostHelp =
      "Acknowledged logs that will never be stored, by reason (--ack memory only: with durable acks they "
      "stay "
      "in the write-ahead log for the next start).";
  out.Counter("logdaemon_logs_lost_total", kLostHelp, D(storage.logs_lost_at_shutdown),
              {{"reason", "write_failed_at_shutdown"}});
  out.Counter("logdaemon_logs_lost_total", kLostHelp, D(storage.logs_lost_encoding),
              {{"reason", "encoding_failed"}});

  // The write-ahead log (--ack durable).
  out.Counter("logdaemon_wal_commits_total",
              "Group commits of the write-ahead log (logs made durable together).", D(storage.wal_commits));
  out.Counter("logdaemon_wal_syncs_total", "fdatasync calls of the write-ahead log.", D(storage.wal_syncs));
  out.Counter("logdaemon_wal_logs_total", "Logs made durable in the write-ahead log.",
              D(storage.wal_records));
  out.Counter("logdaemon_wal_written_bytes_total", "Bytes written to the write-ahead log.",
              D(storage.wal_bytes));
  out.Counter("logdaemon_wal_failed_commits_total",
              "Group commits that failed (their logs were answered \"ERROR: storage unavailable\").",
              D(storage.wal_failed_commits));
  out.Counter("logdaemon_wal_torn_tails_total",
              "Write-ahead log segments cut at a torn tail at start-up (never-acknowledged bytes).",
              D(storage.wal_torn_tails));
  out.Counter(
      "logdaemon_wal_replayed_logs_total",
      "Acknowledged logs stored at start-up from the write-ahead log (a crash came before their flush).",
      D(storage.wal_replayed));
  out.Gauge("logdaemon_wal_segments", "Write-ahead log segment files.", D(storage.wal_segments));
  out.Gauge("logdaemon_wal_spare_segments",
            "Trimmed write-ahead log segments kept for reuse (not counted in logdaemon_wal_bytes).",
            D(storage.wal_spare_segments));
  out.Counter("logdaemon_wal_recycled_segments_total",
              "Write-ahead log segments made from a spare rather than a new file.", D(storage.wal_recycled));
  out.Gauge("logdaemon_wal_bytes", "Disk space of the write-ahead log segments (preallocated).",
            D(storage.wal_disk_bytes));
  out.Gauge("logdaemon_wal_max_bytes",
            "How far the write-ahead log may grow (--wal-max-mb, capped at start by half the free disk).",
            D(storage.wal_max_bytes));
  out.Gauge("logdaemon_wal_fair_threshold_bytes",
            "Write-ahead log size beyond which each connection may hold only its share of it (3/4 of the "
            "limit, and at least two segments below it).",
            D(storage.wal_fair_threshold));
  out.Gauge("logdaemon_wal_backlog_logs",
            "Acknowledged logs waiting in the write-ahead log for the writer (a burst beyond the queue).",
            D(storage.wal_backlog_logs));
  out.Gauge("logdaemon_wal_backlog_bytes", "Their bytes in the write-ahead log.",
            D(storage.wal_backlog_bytes));
  out.Counter("logdaemon_wal_spilled_logs_total",
              "Logs that found the queue full and waited in the write-ahead log instead of being refused.",
              D(storage.wal_spilled));
  out.Gauge("logdaemon_storage_failing",
            "1 while files cannot be written (disk full, I/O error, read-only): logs that find no room are "
            "answered \"ERROR: storage unavailable\".",
            storage.storage_failing ? 1.0 : 0.0);

  // The process, as every Prometheus client library reports it.
  if (process) RenderProcessMetrics(out, *process);

  out.Gauge("logdaemon_build_info", "Always 1; the labels say which build is running and its I/O backend.", 1,
            {{"version", build.version}, {"revision", build.revision}, {"io_backend", build.io_backend}});
  return out.Take();
}

std::string StatsLine(const ServerStats& server, const StorageStats& storage) {
  std::string line;
  AppendPair(line, "connections", server.connections_active);
  AppendPair(line, "connections_accepted", server.connections_accepted);
  AppendPair(line, "connections_refused", server.connections_refused);
  AppendPair(line, "received", server.frames_received);
  AppendPair(line, "ok", server.logs_accepted);
  AppendPair(line, "rejected", server.rejected_total());
  AppendPair(line, "dropped", server.logs_dropped);
  AppendPair(line, "bytes_received", server.bytes_received);
  AppendPair(line, "queued", storage.queued_logs);
  AppendPair(line, "pending_files", storage.pending_files);
  AppendPair(line, "rows_written", storage.rows_written);
  AppendPair(line, "files", storage.files_written);
  AppendPair(line, "bytes_written", storage.bytes_written);
  AppendPair(line, "compactions", storage.compactions);
  AppendPair(line, "compaction_backlog", storage.compaction_backlog);
  AppendPair(line, "write_errors", storage.write_errors);
  const std::vector<uint64_t> latency = LatencyBuckets(storage);
  uint64_t flushes = 0;
  for (uint64_t count : latency) flushes += count;
  if (flushes > 0) {  // no estimate before the first flush
    AppendMilliseconds(line, "flush_p50_ms", EstimateQuantile(0.5, latency));
    AppendMilliseconds(line, "flush_p99_ms", EstimateQuantile(0.99, latency));
  }
  return line;
}

}  // namespace logdaemon::ingest
