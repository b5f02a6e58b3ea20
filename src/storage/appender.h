// Appender: one producing thread's entry into the storage engine. It shreds validated logs into its own
// RowBatch — no lock, no allocation, no syscall per log — spends admission credits it took in chunks, and
// hands the batch to the writer when it holds handoff_rows() rows or its oldest row is
// handoff_interval_ns() old (Tick) — one queue lock per batch.
//
// With durable acknowledgements (AckMode::kDurable) it also owns a write-ahead log stream, and the batch
// holds the logs of the group being formed. StartCommit() seals it: the group goes to the stream's sync
// thread (one write, one fdatasync) with its batch set aside, and a new group forms meanwhile. When the
// group is durable (PollCommit / WaitCommit), its batch goes to the writer and its logs may be answered
// `OK`; when it failed, it and the forming group are dropped and their logs must be refused. Rows reach
// the writer only once durable.
//
// Thread-safety: one thread at a time. Destroy it (which commits and hands over what it holds) before the
// engine.
#pragma once

#include <simdjson.h>

#include <functional>
#include <memory>
#include <string_view>

#include "logdaemon/status.h"
#include "storage/row_batch.h"
#include "storage/shredder.h"

namespace logdaemon::storage {

class Engine;
class WalStream;

class Appender {
 public:
  // `wal` may be null (memory acknowledgements: nothing is logged).
  Appender(Engine* engine, std::unique_ptr<WalStream> wal);
  ~Appender();
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  // Appends a document that passed validation; `text` is its JSON as received (what the write-ahead log
  // keeps). OK; InvalidArgument when it cannot be stored (an integer beyond INT64); OutOfRange when its
  // time is outside the accepted window (StorageOptions::max_age, max_future; nothing is logged);
  // ResourceExhausted
  // ("overloaded") when the queue is full and the policy is kDrop (under kBlock it waits — in durable
  // mode only once nothing is held: else it returns Aborted, and the caller commits and retries);
  // Unavailable when the engine is closing or ("storage unavailable: …") the log cannot be logged.
  Status Append(simdjson::dom::element document, std::string_view text);
  // Recovery: appends a document read back from the write-ahead log at (stream, lsn); waits for room.
  Status AppendLogged(simdjson::dom::element document, uint32_t stream, uint64_t lsn);

  // Durable mode (no-ops in memory mode, where every log counts as durable at once):
  // Seals the forming group unless one is in flight or it is empty.
  void StartCommit();
  // Whether a group is being made durable.
  bool commit_in_flight() const;
  // Whether logs were appended since the last seal.
  bool has_forming() const { return durable() && !batch_->empty(); }
  // The group in flight finished (true): *status says how; on failure the forming group is dropped too.
  bool PollCommit(Status* status);
  // Waits for the group in flight; false when there was none.
  bool WaitCommit(Status* status);
  // Everything appended made durable and handed over (waits); the first failure.
  Status Commit();
  // Whether the forming group is large enough to seal before the loop turn ends.
  bool CommitDue() const;
  bool durable() const { return wal_ != nullptr; }
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
  bool TakeCredits();
  bool TakeCreditsBlocking();
  void Send();  // hands the batch to the writer
  // The group in flight ended with `status`; returns what its logs' callers are told.
  Status GroupDone(const Status& status);
  // Drops a batch's rows (their logs were refused): credits back, counted as rejected.
  void DropRows(std::unique_ptr<RowBatch> batch);

  Engine* engine_;
  std::unique_ptr<WalStream> wal_;
  Shredder shredder_;
  std::unique_ptr<RowBatch> batch_;            // durable mode: the forming group's rows
  std::unique_ptr<RowBatch> in_flight_batch_;  // durable mode: the rows of the group in flight
  size_t credits_ = 0;
  bool appended_since_tick_ = false;
  // Added to the engine's counters per batch or tick, not per log.
  uint64_t appended_ = 0;
  uint64_t rejected_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace logdaemon::storage
