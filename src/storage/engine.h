// Engine: the storage engine behind logdaemon::StorageEngine (include/logdaemon/storage.h).
//
//   appenders ─RowBatch─▶ BatchQueue ──▶ Writer thread ──encoded file──▶ Publisher thread ──▶ dt=…/*.parquet
//   (one per producing     (bounded by    (partitions, open files,        (.tmp + fsync + rename +
//   thread; shred, no lock) Admission)    flush triggers, sequence)       dir fsync, retried on error)
//                                                  Compactor thread ◀── (merges, retention)
//
// Producers (the daemon's io threads) each own an Appender (storage/appender.h); StorageEngine::Append
// uses one shared appender under a mutex.
//
// The engine owns its threads and hands each what it needs, never itself (DESIGN.md §7): the read-only
// StorageContext and the EngineEvents callbacks (storage/storage_context.h) and the shared EngineCounters
// (storage/engine_counters.h); the writer also its WriterLinks (the BatchQueue, the Admission credits, the
// Publisher, the write-ahead log and its backlog), and every appender the AppenderLinks. So writer.h,
// publisher.h, compactor.h and appender.h do not include this header: a thread never calls into the
// object that owns it except through the callbacks it was handed.
//
// Thread-safety: every public method is thread-safe.
#pragma once

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "logdaemon/schema.h"
#include "logdaemon/storage.h"
#include "storage/admission.h"
#include "storage/appender.h"
#include "storage/batch_queue.h"
#include "storage/engine_counters.h"
#include "storage/fs.h"
#include "storage/row_batch.h"
#include "storage/storage_context.h"
#include "storage/wal.h"
#include "storage/wal_backlog.h"
#include "storage/wal_recovery.h"

namespace logdaemon::storage {

class Writer;
class Publisher;
class Compactor;

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
  // Frees the memory kept for reuse: spare row batches and flush-file buffers (StorageEngine's).
  void ReleaseSpareMemory();

  const StorageOptions& options() const { return context_.options(); }
  const TableLayout& layout() const { return context_.layout(); }
  const SchemaValidator& schema() const { return context_.schema(); }
  FileSystem* fs() const { return context_.fs(); }
  // The write-ahead log (null with AckMode::kMemory) and its counters.
  WalDirectory* wal() const { return wal_.get(); }
  uint64_t wal_max_bytes() const { return wal_max_bytes_; }
  // Beyond this much write-ahead log, each connection may hold only its fair share (ingest/room_share.h):
  // 3/4 of the limit, and at least two segments below it — the log grows a segment at a time, so a
  // connection admitted just below the threshold can add a whole segment, and a quiet connection still
  // needs one to be answered in.
  uint64_t wal_fair_threshold() const {
    return std::min(wal_max_bytes_ / 4 * 3, wal_max_bytes_ - 2 * options().wal_segment_bytes);
  }
  bool closing() const { return closing_.load(std::memory_order_relaxed); }

  // --overflow block: event loops whose connections wait for room register a wake-up; a loop says it
  // wants room (WantRoom) when a frame finds none, and the writer frees some (rows encoded, the
  // write-ahead log trimmed: EngineEvents::on_room, NotifyRoom), which wakes every registered loop once.
  int AddRoomListener(std::function<void()> wake);
  void RemoveRoomListener(int id);
  void WantRoom() { room_wanted_.store(true, std::memory_order_release); }

  // Reports a background error (once per distinct burst; see ReportError in engine.cc).
  void ReportError(const Status& status);
  // A line worth the daemon's log that is not an error (StorageOptions::on_notice, else stderr).
  void ReportNotice(const std::string& line);

  const std::string& root() const { return context_.root(); }
  std::string tmp_dir() const { return context_.tmp_dir(); }

 private:
  Engine(StorageOptions options, SchemaValidator schema);
  Status Recover();
  // Durable mode, after Recover() and with the threads running: stores what the write-ahead log holds
  // and no file covers.
  Status RecoverWal();
  // The write-ahead log's limit: the option, capped by half the free disk space (and at least two
  // segments per stream... enough for the log to work at all).
  void SizeWal();
  // Durable mode: the backlog, made before the writer (which is handed it) and started after it.
  void MakeBacklog();
  Result<WalCoverage> ReadCoverage();
  Status PushFlushAndWait();
  // Durable mode: whether the write-ahead log may grow (it is below its limit, wal_max_bytes()).
  bool wal_has_room() const { return wal_ && wal_->disk_bytes() < wal_max_bytes_; }
  void NotifyRoom();
  // The shared appender's batch, handed over when it is old (the writer calls this on its ticks).
  void TickSharedAppender();
  // What the threads report through (errors and notices come back to ReportError and ReportNotice).
  EngineEvents Events();
  // Makes the publisher, writer and compactor and starts them.
  void StartThreads();

  StorageContext context_;
  Admission admission_;
  EngineCounters counters_;
  std::atomic<bool> closing_{false};
  bool closed_ = false;
  std::mutex close_mutex_;
  Status close_status_;
  int lock_fd_ = -1;

  BatchQueue queue_;
  // What every appender is handed (the backlog's is set once it is made).
  AppenderLinks appender_links_;

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
};

}  // namespace logdaemon::storage
