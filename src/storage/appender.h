// Appender: one producing thread's entry into the storage engine. It shreds validated logs into its own
// RowBatch — no lock, no allocation, no syscall per log — spends admission credits it took in chunks, and
// hands the batch to the writer when it holds handoff_rows() rows or its oldest row is
// handoff_interval_ns() old (Tick) — one queue lock per batch.
//
// With durable acknowledgements (AckMode::kDurable) it also owns a write-ahead log stream: each log is
// added to the stream's group, and Commit() makes the group durable with one write and one fdatasync.
// A log may be acknowledged only after the Commit() that follows its Append() succeeded. Rows reach the
// writer only once committed; when a Commit() fails, the rows appended since the previous one are dropped
// (their logs must be refused).
//
// Thread-safety: one thread at a time. Destroy it (which hands over what it holds) before the engine.
#pragma once

#include <simdjson.h>

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
  // keeps). OK; InvalidArgument when it cannot be stored (an integer beyond INT64); ResourceExhausted
  // ("overloaded") when the queue is full and the policy is kDrop (under kBlock it waits); Unavailable
  // when the engine is closing or ("storage unavailable: …") the log cannot be logged.
  Status Append(simdjson::dom::element document, std::string_view text);
  // Recovery: appends a document read back from the write-ahead log at (stream, lsn); waits for room.
  Status AppendLogged(simdjson::dom::element document, uint32_t stream, uint64_t lsn);

  // Durable mode: makes every log appended since the previous Commit durable (group commit). On failure
  // they are dropped and the error says why ("storage unavailable: …"). Memory mode: OK at once.
  Status Commit();
  // Whether the uncommitted logs are many enough to commit now, before the loop turn ends (bounds the
  // rows and bytes that wait for a commit).
  bool CommitDue() const;
  bool durable() const { return wal_ != nullptr; }
  // Logs appended since the last Commit.
  size_t uncommitted_rows() const { return batch_->num_rows() - committed_rows_; }

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
  // Commit() without reporting an earlier failure; a failure is kept in failed_group_ for Commit().
  Status CommitGroup();
  void Send();  // hands the batch to the writer

  Engine* engine_;
  std::unique_ptr<WalStream> wal_;
  Shredder shredder_;
  std::unique_ptr<RowBatch> batch_;
  size_t committed_rows_ = 0;
  Status failed_group_;  // a group that failed since the last Commit() (refuse every uncommitted log)  //
                         // rows of batch_ whose logs are durable (all of them in memory mode)
  size_t credits_ = 0;
  bool appended_since_tick_ = false;
  // Added to the engine's counters per batch or tick, not per log.
  uint64_t appended_ = 0;
  uint64_t rejected_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace logdaemon::storage
