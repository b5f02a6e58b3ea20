// EngineCounters: the counters and gauges the engine's threads share — the writer, publisher and
// compactor are handed this struct (not the engine), and Engine::Stats() reads it.
//
// Thread-safety: the atomics are updated with relaxed order (not per log on the hot path); the latency
// histogram and the storage failure have their own mutexes.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "logdaemon/status.h"

namespace logdaemon::storage {

// Counters shared by the engine's threads (not touched per log on the hot path).
struct EngineCounters {
  std::atomic<uint64_t> logs_appended{0};
  std::atomic<uint64_t> logs_rejected{0};
  std::atomic<uint64_t> logs_dropped{0};
  std::atomic<uint64_t> rows_written{0};
  std::atomic<uint64_t> files_written{0};
  std::atomic<uint64_t> bytes_written{0};
  std::atomic<uint64_t> compactions{0};
  std::atomic<uint64_t> files_compacted{0};
  std::atomic<uint64_t> files_deleted_by_retention{0};
  std::atomic<uint64_t> write_errors{0};
  std::atomic<uint64_t> logs_lost_at_shutdown{0};
  std::atomic<uint64_t> logs_lost_encoding{0};
  std::atomic<uint64_t> pending_files{0};
  // Gauge: the most files below the full size in one partition at the compactor's last listing.
  std::atomic<uint64_t> compaction_backlog{0};
  // Every flush file with a sequence number up to this one is in its partition directory (the publisher
  // publishes files in sequence order and stores it with release order). The compactor only considers
  // files up to it: a directory listing taken while files are being renamed into the directory may show
  // a newer file and miss an older one, and a merge over such a gap would supersede the file it missed.
  // The writer trims the write-ahead log as it grows.
  std::atomic<uint64_t> published_sequence{0};
  // Set by the compactor while its backlog is high; the writer then makes fewer, bigger flush files.
  std::atomic<bool> compaction_lagging{false};
  // Gauges of the memory budget's parts (bytes): the writer's open flush files (set by the writer after
  // each batch), the files queued for the publisher (added and taken by the publisher), and what the
  // merge in progress holds (set by the compactor per row group, 0 between merges).
  std::atomic<uint64_t> writer_open_bytes{0};
  std::atomic<uint64_t> pending_bytes{0};
  std::atomic<uint64_t> merge_bytes{0};
  mutable std::mutex latency_mutex;
  std::vector<uint64_t> latency_counts;
  double latency_sum_ms = 0;
  void RecordLatency(double ms);
  // Set while files cannot be written (the publisher's last attempt failed; its next success clears it):
  // logs that find no room are then refused as "storage unavailable: <why>", not "overloaded".
  std::atomic<bool> storage_failing{false};
  void SetStorageFailure(const Status& status);
  void ClearStorageFailure();
  std::string StorageFailure() const;  // "" while writing works

 private:
  mutable std::mutex failure_mutex_;
  std::string failure_;
};

}  // namespace logdaemon::storage
