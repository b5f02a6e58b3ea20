// Appender: one producing thread's entry into the storage engine. It shreds validated logs into its own
// RowBatch — no lock, no allocation, no syscall per log — spends admission credits it took in chunks, and
// hands the batch to the writer when it holds AppenderLinks::handoff_rows rows or its oldest row is
// handoff_interval_ns old (Tick) — one queue lock per batch.
//
// With durable acknowledgements (AckMode::kDurable) it also owns a write-ahead log stream, and the batch
// holds the logs of the group being formed. StartCommit() seals it: the group goes to the stream's sync
// thread (one write, one fdatasync) with its batch set aside, and a new group forms meanwhile (up to
// WalStream::kMaxGroupsInFlight groups are in flight, finishing in order). When a group is durable
// (PollCommit / WaitCommit), its batch goes to the writer and its logs may be answered `OK`; when it
// failed, it and the forming group are dropped and their logs must be refused (and so are the groups
// sealed behind it, each as it finishes). Rows reach the writer only once durable.
//
// Thread-safety: one thread at a time. Destroy it (which commits and hands over what it holds) before the
// engine.
#pragma once

#include <simdjson.h>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "logdaemon/status.h"
#include "storage/admission.h"
#include "storage/batch_queue.h"
#include "storage/engine_counters.h"
#include "storage/row_batch.h"
#include "storage/shredder.h"
#include "storage/storage_context.h"
#include "storage/wal_backlog.h"

namespace logdaemon::storage {

class WalStream;

// What every appender is handed: the engine owns it and its parts, and they outlive the appenders.
struct AppenderLinks {
  const StorageContext* context = nullptr;     // the layout, partitioning, overflow policy, time window
  EngineCounters* counters = nullptr;          // takes its counts; says why storage fails, if it does
  BatchQueue* queue = nullptr;                 // where its batches go, and where new ones come from
  Admission* admission = nullptr;              // the queue's capacity, as credits
  const std::atomic<bool>* closing = nullptr;  // set when the engine closes
  // Durable acks: the logs that wait in the write-ahead log for room in memory, and whether the log
  // may grow (it is below its limit).
  WalBacklog* backlog = nullptr;
  std::function<bool()> wal_has_room;
  // A failed write-ahead log group (reported like the engine's other background errors).
  std::function<void(const Status&)> on_error;
  size_t handoff_rows = 1024;       // rows collected before the batch is handed to the writer
  int64_t handoff_interval_ns = 0;  // and how long they may be held
  size_t credit_chunk = 64;         // credits taken at a time
};

class Appender {
 public:
  // `wal` may be null (memory acknowledgements: nothing is logged).
  Appender(const AppenderLinks* links, std::unique_ptr<WalStream> wal);
  ~Appender();
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  // Appends a document that passed validation; `text` is its JSON as received (what the write-ahead log
  // keeps). OK; InvalidArgument when it cannot be stored (an integer beyond INT64); OutOfRange when its
  // time is outside the accepted window (StorageOptions::max_age, max_future; nothing is logged). When
  // there is no room — memory acks: the queue is full; durable acks: the queue is full and the write-ahead
  // log is at its limit (until then the log waits in the log's backlog, not in memory) — ResourceExhausted
  // ("overloaded") under kDrop, Aborted under kBlock (the caller holds the log and tries again later;
  // an appender set_wait_for_room() waits instead, in memory mode), or Unavailable ("storage
  // unavailable: …") while the disk refuses files. Unavailable also when the engine is closing or the log
  // cannot be logged.
  Status Append(simdjson::dom::element document, std::string_view text);
  // Recovery and the backlog: appends a document read back from the write-ahead log at (stream, lsn),
  // whose text was `text_bytes` long; waits for room until `give_up` (default: the engine is closing).
  Status AppendLogged(simdjson::dom::element document, uint32_t stream, uint64_t lsn, size_t text_bytes);
  void set_give_up(const std::atomic<bool>* give_up) { give_up_ = give_up; }
  // Memory acks under kBlock: wait for room in Append instead of returning Aborted (the library's
  // appender, whose callers expect Append to block).
  void set_wait_for_room(bool wait) { wait_for_room_ = wait; }

  // Durable mode (no-ops in memory mode, where every log counts as durable at once):
  // Seals the forming group unless it is empty or no more groups may be in flight (can_start_commit).
  void StartCommit();
  // Whether a group is being made durable.
  bool commit_in_flight() const;
  // Whether another group may be sealed now.
  bool can_start_commit() const;
  // Whether logs were appended since the last seal, and how many.
  bool has_forming() const { return forming_logs() > 0; }
  size_t forming_logs() const;
  // The oldest group in flight finished (true): *status says how; on failure the forming group is dropped
  // too.
  bool PollCommit(Status* status);
  // Waits for the oldest group in flight; false when there was none.
  bool WaitCommit(Status* status);
  // Everything appended made durable and handed over (waits); the first failure.
  Status Commit();
  // Whether the forming group is large enough to seal before the loop turn ends.
  bool CommitDue() const;
  bool durable() const { return wal_ != nullptr; }
  // Durable mode: this appender's stream, and the LSN of the last log appended (for fairness).
  uint32_t wal_stream() const;
  uint64_t last_lsn() const;
  // Called on the sync thread when a group is done (the owner's event loop wakes up).
  void set_commit_notify(std::function<void()> notify);

  // Hands the batch over when it is old enough, and gives unspent credits back when nothing was appended
  // since the previous call; call it regularly (each event-loop turn, after Commit). Cheap.
  void Tick();
  // Commits, then hands the batch over now and gives back unspent credits.
  void HandOff();

  size_t buffered_rows() const { return batch_->num_rows(); }
  // Adds this appender's counts to the engine's (done per batch and per Tick; call it to be exact now).
  void PublishCounters();

 private:
  // Tops the credits held up to at least `cost` (taking a chunk at a time); false when the queue has
  // too few (what was taken is kept, for the next log or the next Tick to give back).
  bool TakeCredits(size_t cost);
  bool TakeCreditsBlocking(size_t cost);
  // Fewer credits than the log's cost: takes some, or decides the log goes to the write-ahead log's
  // backlog (*to_memory = false), or returns why it cannot be admitted (NoRoom).
  Status FindRoom(size_t cost, bool* to_memory);
  Status NoRoom();
  void AddToBacklogSpan(uint64_t lsn, uint64_t record_bytes);
  void Send();  // hands the batch to the writer
  // The oldest group in flight ended with `status`; returns what its logs' callers are told.
  Status GroupDone(const Status& status);
  // Drops a batch's rows (their logs were refused): credits back, counted as rejected.
  void DropRows(std::unique_ptr<RowBatch> batch);
  // The same for logs of a refused group that went to the backlog.
  void ForgetSpans(std::vector<WalSpan>* spans);

  const AppenderLinks& links_;
  const std::atomic<bool>* give_up_;
  bool wait_for_room_ = false;
  std::unique_ptr<WalStream> wal_;
  Shredder shredder_;
  std::unique_ptr<RowBatch> batch_;  // durable mode: the forming group's rows
  // Durable mode: the group's logs that went to the backlog instead of the batch (storage/wal_backlog.h).
  std::vector<WalSpan> forming_spans_;
  // Durable mode: the groups in flight, oldest first: their rows and their spans.
  struct InFlight {
    std::unique_ptr<RowBatch> rows;
    std::vector<WalSpan> spans;
  };
  std::deque<InFlight> in_flight_;
  size_t credits_ = 0;
  bool appended_since_tick_ = false;
  // Added to the engine's counters per batch or tick, not per log.
  uint64_t appended_ = 0;
  uint64_t rejected_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace logdaemon::storage
