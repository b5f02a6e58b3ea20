// StorageEngine: validated logs become a bounded set of immutable Parquet files (DESIGN.md §4–5).
//
//   auto storage = logdaemon::StorageEngine::Open("logs", logdaemon::Compression::kSnappy,
//                                                 1000,                // batch size (a flush trigger)
//                                                 100 * 1024 * 1024);  // rotation size
//   logdaemon::Status st = (*storage)->Append(R"({"timestamp":"2026-01-15T19:00:00Z","level":"info",
//                                                  "message":"hi"})");
//   (*storage)->Flush();  // every log appended so far is in a visible file
//   (*storage)->Close();
//
// Files: <directory>/dt=YYYY-MM-DD/logs_YYYYMMDD_HHMMSS_<first>[-<last>].parquet, where first..last is the
// range of flush sequence numbers the file covers. A file is written under <directory>/.tmp/, fsynced,
// renamed into place and its directory fsynced, so every visible file is complete. A background thread
// compacts each partition's small files into files of up to the rotation size; a merged file supersedes
// the files whose range it covers (storage/catalog.h lists the visible, non-superseded files).
//
// Memory is bounded: at most `queue_capacity` logs are held unencoded (Append answers "overloaded", or
// waits with OverflowPolicy::kBlock, beyond that), and encoded files waiting for the disk are bounded
// too. A write that fails (disk full, EIO, permission denied) is counted, reported through
// `on_error`, and retried with backoff until it succeeds; nothing is lost and no broken file is visible.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logdaemon/schema.h"
#include "logdaemon/status.h"

namespace logdaemon {

namespace storage {
class FileSystem;
class Engine;
class FileHolds;
}  // namespace storage

enum class Compression { kNone, kSnappy, kZstd, kGzip, kLz4 };
// "none", "snappy", "zstd", "gzip", "lz4" (lz4 is Parquet's LZ4_RAW).
std::string_view CompressionName(Compression compression);
Result<Compression> ParseCompression(std::string_view name);
// Whether `level` suits `compression`: 0 (the codec's default) always; zstd 1..22 and gzip 1..9; the
// other codecs have no levels. The message names the codec and the range, not the flag.
Status CheckCompressionLevel(Compression compression, int level);

// How files are grouped into Hive-style partition directories by the time field (UTC).
enum class Partitioning {
  kDay,   // dt=YYYY-MM-DD/
  kHour,  // dt=YYYY-MM-DD/hour=HH/
  kNone,  // files directly in the storage directory
};
Result<Partitioning> ParsePartitioning(std::string_view name);  // "day", "hour", "none"

enum class OverflowPolicy {
  kDrop,   // Append returns ResourceExhausted("overloaded") at once (the original spec's behaviour)
  kBlock,  // Append waits until there is room (bulk import; `serve --overflow block`)
};

// What an accepted log's success means (DESIGN.md §1 step 6).
enum class AckMode {
  // The log is in the write-ahead log on disk (group commit: one fdatasync per batch of logs) before
  // Append returns OK or the daemon answers `OK`: it survives kill -9 and power loss, and is stored
  // exactly once after a restart. `serve`'s default.
  kDurable,
  // The log is in memory: a crash loses what was not yet flushed (up to the flush interval). The
  // library's default, and `import`'s (its input file is the durable copy).
  kMemory,
};
// "durable", "memory".
Result<AckMode> ParseAckMode(std::string_view name);
std::string_view AckModeName(AckMode mode);

struct StorageOptions {
  std::string directory = "logs";
  Compression compression = Compression::kSnappy;
  int compression_level = 0;  // 0: the codec's default (zstd 3, gzip 6)
  // A partition is flushed to a new file once this many rows are buffered (and at most about once a
  // second at high rates, so that flush files are not tiny), or when its oldest row is
  // `flush_interval` old. Not a row-group size: files keep their rows in as few row groups as they can.
  size_t batch_size = 1000;
  std::chrono::milliseconds flush_interval{5000};
  // Compaction merges a partition's small files into files of at most this size.
  uint64_t rotation_bytes = uint64_t{100} << 20;
  bool compaction = true;
  // Flush files a merge waits for (2..256), unless fewer already fill a file of the rotation size: more
  // cost less compaction CPU and leave more files in the partition being written
  // (storage/compaction_policy.h).
  size_t merge_min_files = 32;
  // Logs accepted but not yet encoded, across all appenders.
  size_t queue_capacity = 10000;
  OverflowPolicy overflow = OverflowPolicy::kDrop;
  Partitioning partitioning = Partitioning::kDay;
  int retention_days = 0;        // 0: keep; else partitions older than this many days are deleted
  uint64_t retention_bytes = 0;  // 0: no limit; else the oldest files go first beyond this total
  bool parquet_compat = false;   // PLAIN + dictionary only, for old readers (DESIGN.md §6b)
  // The accepted window of the time field (DESIGN.md §4). Append refuses a log whose time is before
  // now - max_age or after now + max_future (bounds included) with
  //   OutOfRange("timestamp 0001-01-01T00:00:00Z outside the accepted window <from> .. <to>")
  // before it is logged or stored, so that a log dated 0001 or 9999 never opens a partition of its own.
  // nullopt: no bound on that side. A log without a time value (an optional time field left out) is not
  // checked; logs replayed from the write-ahead log at start-up are not checked again (they were
  // acknowledged). The library's default is no window, so that embedding the engine needs no clock
  // assumptions; `logdaemon serve` sets max_age to the retention or 30 days and max_future to 1 h, and
  // `logdaemon import` (which loads history) only max_future.
  std::optional<std::chrono::seconds> max_age;
  std::optional<std::chrono::seconds> max_future;
  // At most this many partitions have an open flush file in the writer; opening one more first flushes
  // the least recently written one. Bounds the writer's memory when logs spread over many dates or hours
  // (late logs, a backfill, --partition hour): 64 covers two days of hours and then some.
  size_t max_open_partitions = 64;
  // The memory budget's shares for the writer and for compaction (DESIGN.md §3; `serve` and `import`
  // derive them from --memory-limit). writer_memory_bytes bounds what the writer holds of encoded flush
  // files — open, queued for the publisher, and a spare buffer: a flush file is cut at an eighth of it and
  // the largest open files are flushed early while their total passes a quarter of it. merge_memory_bytes
  // bounds what a merge decodes of one column of a merged row group (storage/merge_plan.h) to a quarter
  // of it (the merge holds about three times that: decoded column, encoded chunk, input pages).
  // 0: the built-in limits (8 MiB flush files, 4 MiB merge columns), without a total.
  size_t writer_memory_bytes = 0;
  size_t merge_memory_bytes = 0;
  AckMode ack = AckMode::kMemory;
  // At Close, how long writes that fail (a disk that stays full) are retried before the rows are given up
  // (memory acks: lost and counted; durable acks: left in the write-ahead log for the next start).
  std::chrono::milliseconds shutdown_write_timeout{30000};
  // kDurable: the write-ahead log's segments (in <directory>/wal/) are preallocated to this size.
  uint64_t wal_segment_bytes = uint64_t{32} << 20;
  // kDurable: how far the write-ahead log may grow (capped at start by half the free disk space). Logs
  // that find the queue full wait in the log (a backlog the writer catches up from) until it reaches
  // this; only then does the overflow policy apply.
  uint64_t wal_max_bytes = uint64_t{1} << 30;
  // Where failed writes and other background errors are reported (one line each). Default: stderr.
  std::function<void(const Status&)> on_error;
  // Where events worth a line in the daemon's log that are not errors go (what start-up recovered from
  // the write-ahead log, a torn tail cut). Default: stderr.
  std::function<void(const std::string&)> on_notice;
  // Permission bits of every file the engine creates (Parquet files, write-ahead log segments, the lock);
  // directories get search bits where files get read or write (0640 -> 0750). The umask applies too.
  uint32_t file_mode = 0640;
  // The file-system layer (tests inject faults); nullptr: the real one. Not owned.
  storage::FileSystem* file_system = nullptr;
  // Files a reader outside the engine took for good (the object-storage uploader, src/ship/; see
  // storage/file_holds.h): compaction never merges them, and retention deletes no visible file that the
  // holder has not marked deletable. nullptr: no holds.
  std::shared_ptr<storage::FileHolds> file_holds;
};

// Counters since Open. Each is monotonic except the gauges (queued_logs, pending_files, compaction_backlog).
struct StorageStats {
  uint64_t logs_appended = 0;    // accepted by Append
  uint64_t logs_rejected = 0;    // refused by validation or shredding
  uint64_t logs_dropped = 0;     // refused because the queue was full (kDrop)
  uint64_t rows_written = 0;     // rows in durable flush files
  uint64_t files_written = 0;    // flush files made visible
  uint64_t bytes_written = 0;    // bytes of flush and compacted files made visible
  uint64_t compactions = 0;      // merged files made visible
  uint64_t files_compacted = 0;  // input files a merge superseded
  uint64_t files_deleted_by_retention = 0;
  uint64_t write_errors = 0;  // failed write / fsync / rename attempts (each retried)
  // Acknowledged logs that will never be stored, by reason. With AckMode::kDurable both stay 0: such rows
  // stay in the write-ahead log and are stored at the next start.
  uint64_t logs_lost_at_shutdown = 0;  // the disk refused them until the shutdown deadline
  uint64_t logs_lost_encoding = 0;     // a flush file could not be encoded (a bug)
  uint64_t queued_logs = 0;            // gauge: logs accepted but not yet encoded
  uint64_t pending_files = 0;          // gauge: encoded files waiting to be written
  uint64_t compaction_backlog = 0;     // gauge: most files below the full size in one partition
  // The write-ahead log (kDurable).
  uint64_t wal_commits = 0;         // group commits
  uint64_t wal_syncs = 0;           // fdatasync calls
  uint64_t wal_records = 0;         // logs made durable
  uint64_t wal_bytes = 0;           // bytes written
  uint64_t wal_failed_commits = 0;  // groups refused because a write or sync failed
  uint64_t wal_torn_tails = 0;      // segments cut at their first bad record at start-up
  uint64_t wal_replayed = 0;        // logs stored at start-up from the log (not in any file yet)
  uint64_t wal_segments = 0;        // gauge
  uint64_t wal_spare_segments = 0;  // gauge: trimmed segments kept for reuse
  uint64_t wal_recycled = 0;        // segments made from a spare
  uint64_t wal_disk_bytes = 0;      // gauge: bytes of the segments on disk
  uint64_t wal_max_bytes = 0;       // the log's limit (wal_max_bytes, capped by the free space)
  uint64_t wal_fair_threshold = 0;  // beyond this size, each connection may hold only its share
  uint64_t wal_backlog_logs = 0;    // gauge: logs waiting in the log for room in memory
  uint64_t wal_backlog_bytes = 0;   // gauge: their bytes in the log
  uint64_t wal_spilled = 0;         // logs that went through the backlog
  bool storage_failing = false;     // gauge: files cannot be written right now
  // Gauges of the memory budget's parts, with their limits (StorageOptions; 0: no limit): encoded flush
  // files the writer holds (open, queued for the publisher, its spare buffer), and what the merge in
  // progress holds (decoded column, gather buffers; 0 between merges).
  uint64_t writer_memory_bytes = 0;
  uint64_t writer_memory_limit = 0;
  uint64_t compaction_memory_bytes = 0;
  uint64_t compaction_memory_limit = 0;
  // Flush latency (encode end → durable and visible), milliseconds: counts per upper bound.
  static constexpr double kLatencyBoundsMs[] = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000};
  std::vector<uint64_t> flush_latency_counts;  // size(kLatencyBoundsMs) + 1 (the last is +Inf)
  double flush_latency_sum_ms = 0;
};

class StorageEngine {
 public:
  // Opens (creating it if needed) the storage directory: clears `.tmp/`, removes files a durable merged
  // file supersedes, continues the sequence numbers, and starts the writer and compaction threads.
  static Result<std::unique_ptr<StorageEngine>> Open(StorageOptions options, SchemaValidator schema);
  // The original spec's library form, with the built-in schema.
  static Result<std::unique_ptr<StorageEngine>> Open(std::string directory, Compression compression,
                                                     size_t batch_size, uint64_t rotation_bytes);
  ~StorageEngine();  // Close()
  StorageEngine(const StorageEngine&) = delete;
  StorageEngine& operator=(const StorageEngine&) = delete;

  // Validates one JSON log and admits it. InvalidArgument with the reply text when it is not valid
  // ("invalid JSON: …", "schema: …"); ResourceExhausted("overloaded") when the queue is full under
  // kDrop; Unavailable after Close, or ("storage unavailable: …") when AckMode::kDurable cannot log it.
  // With kDurable each call is its own group commit (one fdatasync): the daemon's io threads batch
  // instead.
  Status Append(std::string_view json);

  // Returns once every log appended before the call is in a durable, visible file. Waits through
  // retried write errors (it fails only when the engine is closed meanwhile).
  Status Flush();

  // Merges every partition's small files now, as the background does once a partition has gone quiet,
  // and applies retention. `logdaemon import` calls it at the end.
  Status Compact();

  // Flushes, stops compaction and the threads. Idempotent. The error of the final flush, if any.
  Status Close();

  StorageStats Stats() const;
  const TableLayout& layout() const;
  const StorageOptions& options() const;

  // Frees what the engine keeps for reuse — spare row batches (at most 4 MiB of capacity) and flush-file
  // buffers — for a daemon that has gone quiet (cli/idle_memory.h); the next burst makes them again.
  // Any thread.
  void ReleaseSpareMemory();

  // The engine itself, for the daemon's per-thread appenders (storage/engine.h).
  storage::Engine& engine() { return *engine_; }

 private:
  explicit StorageEngine(std::unique_ptr<storage::Engine> engine);
  std::unique_ptr<storage::Engine> engine_;
};

}  // namespace logdaemon
