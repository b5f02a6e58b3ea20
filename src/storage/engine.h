// Engine: the storage engine behind logdaemon::StorageEngine (include/logdaemon/storage.h).
//
//   appenders ──RowBatch──▶ BatchQueue ──▶ Writer thread ──encoded file──▶ Publisher thread ──▶
//   dt=…/*.parquet (one per producing       (bounded by     (partitions, open files,       (.tmp + fsync +
//   rename +
//    thread; shred, no lock)  Admission)      flush triggers, sequence)      dir fsync, retried on error)
//                                                      Compactor thread ◀── (merges, retention)
//
// Producers (the daemon's io threads) each own an Appender (storage/appender.h); StorageEngine::Append
// uses one shared appender under a mutex.
//
// Thread-safety: every public method is thread-safe.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "logdaemon/schema.h"
#include "logdaemon/storage.h"
#include "storage/admission.h"
#include "storage/fs.h"
#include "storage/row_batch.h"
#include "storage/wal.h"
#include "storage/wal_backlog.h"
#include "storage/wal_recovery.h"

namespace logdaemon::storage {

class Appender;
class Writer;
class Publisher;
class Compactor;

// Steady-clock nanoseconds and wall-clock microseconds (UTC).
int64_t SteadyNanos();
int64_t WallMicros();

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

// A request to make everything queued before it durable; completed by the publisher.
struct FlushToken {
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  Status status;
  void Complete(Status st) {
    std::lock_guard lock(mutex);
    done = true;
    status = std::move(st);
    cv.notify_all();
  }
  Status Wait() {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return done; });
    return status;
  }
};

// What flows from appenders to the writer: a batch of rows, or a flush request.
struct QueueItem {
  std::unique_ptr<RowBatch> batch;
  std::shared_ptr<FlushToken> flush;
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Open(StorageOptions options, SchemaValidator schema);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // A producer's own appender (one per thread; it must be destroyed before the engine).
  std::unique_ptr<Appender> NewAppender();

  // Parses, validates and appends through the shared appender (committing it at once when durable).
  Status Append(std::string_view json);
  Status Flush();
  // Merges every partition's small files now (as the background does once a partition goes quiet).
  Status Compact();
  Status Close();
  StorageStats Stats() const;

  const StorageOptions& options() const { return options_; }
  const TableLayout& layout() const { return schema_.layout(); }
  const SchemaValidator& schema() const { return schema_; }
  FileSystem* fs() const { return fs_; }
  Admission& admission() { return admission_; }
  EngineCounters& counters() { return counters_; }
  // The write-ahead log (null with AckMode::kMemory) and its counters.
  WalDirectory* wal() const { return wal_.get(); }
  // Durable mode: the logs waiting in the write-ahead log for room in memory (storage/wal_backlog.h).
  WalBacklog* backlog() const { return backlog_.get(); }
  // Durable mode: whether the write-ahead log may grow (it is below its limit, wal_max_bytes()).
  bool wal_has_room() const { return wal_ && wal_->disk_bytes() < wal_max_bytes_; }
  uint64_t wal_max_bytes() const { return wal_max_bytes_; }
  // Beyond this much write-ahead log, each connection may hold only its fair share (ingest/room_share.h):
  // 3/4 of the limit, and at least two segments below it — the log grows a segment at a time, so a
  // connection admitted just below the threshold can add a whole segment, and a quiet connection still
  // needs one to be answered in.
  uint64_t wal_fair_threshold() const {
    return std::min(wal_max_bytes_ / 4 * 3, wal_max_bytes_ - 2 * options_.wal_segment_bytes);
  }
  std::string StorageFailure() const { return counters_.StorageFailure(); }
  WalCounters& wal_counters() { return wal_counters_; }
  bool closing() const { return closing_.load(std::memory_order_relaxed); }
  const std::atomic<bool>& closing_flag() const { return closing_; }

  // Rows an appender collects before handing its batch to the writer, and how long it may hold them.
  size_t handoff_rows() const { return handoff_rows_; }
  int64_t handoff_interval_ns() const { return handoff_interval_ns_; }
  // Credits an appender takes at a time.
  size_t credit_chunk() const { return credit_chunk_; }

  // Queue side (appenders): hands a non-empty batch to the writer; returns an empty batch to fill next.
  std::unique_ptr<RowBatch> Enqueue(std::unique_ptr<RowBatch> batch);
  // A cleared batch from the pool (or a new one).
  std::unique_ptr<RowBatch> TakeBatch();
  void RecycleBatch(std::unique_ptr<RowBatch> batch);

  // Writer side: waits until items are queued or `deadline_ns` (steady) passes; moves them to *out.
  // Returns false once the engine is stopping and the queue is empty.
  bool DequeueAll(int64_t deadline_ns, std::deque<QueueItem>* out);

  // --overflow block: event loops whose connections wait for room register a wake-up; a loop says it
  // wants room (WantRoom) when a frame finds none, and the writer calls NotifyRoom when it frees some
  // (rows encoded, the write-ahead log trimmed), which wakes every registered loop once.
  int AddRoomListener(std::function<void()> wake);
  void RemoveRoomListener(int id);
  void WantRoom() { room_wanted_.store(true, std::memory_order_release); }
  void NotifyRoom();

  // Reports a background error (once per distinct burst; see ReportError in engine.cc).
  void ReportError(const Status& status);
  // A line worth the daemon's log that is not an error (StorageOptions::on_notice, else stderr).
  void ReportNotice(const std::string& line);
  // The shared appender's batch, handed over when it is old (the writer calls this on its ticks).
  void TickSharedAppender();
  // Wakes the compactor (a file was published).
  void NotifyPublished();
  // Every flush file with a sequence number up to this one is in its partition directory (files are
  // published in sequence order). The compactor only considers files up to it: a directory listing
  // taken while files are being renamed into the directory may show a newer file and miss an older one,
  // and a merge over such a gap would supersede the file it missed.
  uint64_t published_sequence() const { return published_sequence_.load(std::memory_order_acquire); }
  void SetPublishedSequence(uint64_t sequence) {
    published_sequence_.store(sequence, std::memory_order_release);
  }

  std::string root() const { return options_.directory; }
  std::string tmp_dir() const;

 private:
  Engine(StorageOptions options, SchemaValidator schema);
  Status Recover();
  // Durable mode, after Recover() and with the threads running: stores what the write-ahead log holds
  // and no file covers.
  Status RecoverWal();
  // The write-ahead log's limit: the option, capped by half the free disk space (and at least two
  // segments per stream... enough for the log to work at all).
  void SizeWal();
  void StartBacklog();
  Result<WalCoverage> ReadCoverage();
  Status PushFlushAndWait();

  StorageOptions options_;
  SchemaValidator schema_;
  std::unique_ptr<FileSystem> own_fs_;  // the real file system with options_.file_mode, unless injected
  FileSystem* fs_;
  Admission admission_;
  EngineCounters counters_;
  std::atomic<bool> closing_{false};
  bool closed_ = false;
  std::mutex close_mutex_;
  Status close_status_;
  int lock_fd_ = -1;

  size_t handoff_rows_ = 1024;
  int64_t handoff_interval_ns_ = 0;
  size_t credit_chunk_ = 64;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<QueueItem> queue_;
  bool stop_writer_ = false;
  std::vector<std::unique_ptr<RowBatch>> pool_;  // spare batches, under queue_mutex_
  size_t pool_bytes_ = 0;                        // their capacity
  static constexpr size_t kMaxSpareBatchBytes = size_t{4} << 20;
  std::unique_ptr<RowBatch> PopSpareLocked();

  std::mutex shared_mutex_;
  std::unique_ptr<Appender> shared_appender_;

  std::atomic<bool> room_wanted_{false};
  std::mutex room_mutex_;
  std::map<int, std::function<void()>> room_listeners_;
  int next_room_listener_ = 0;

  std::mutex error_mutex_;
  std::string last_error_;
  int64_t last_error_ns_ = 0;
  uint64_t suppressed_errors_ = 0;

  std::unique_ptr<WalDirectory> wal_;
  WalCounters wal_counters_;
  uint64_t wal_max_bytes_ = 0;
  std::unique_ptr<WalBacklog> backlog_;

  std::unique_ptr<Publisher> publisher_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<Compactor> compactor_;
  uint64_t next_sequence_ = 1;
  std::atomic<uint64_t> published_sequence_{0};
};

}  // namespace logdaemon::storage
