// Appender: one producing thread's entry into the storage engine. It shreds validated logs into its own
// RowBatch — no lock, no allocation, no syscall per log — spends admission credits it took in chunks, and
// hands the batch to the writer when it holds handoff_rows() rows or its oldest row is
// handoff_interval_ns() old (Tick) — one queue lock per batch.
//
// Thread-safety: one thread at a time. Destroy it (which hands over what it holds) before the engine.
#pragma once

#include <simdjson.h>

#include <memory>

#include "logdaemon/status.h"
#include "storage/row_batch.h"
#include "storage/shredder.h"

namespace logdaemon::storage {

class Engine;

class Appender {
 public:
  explicit Appender(Engine* engine);
  ~Appender();
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  // Appends a document that passed validation. OK; InvalidArgument when it cannot be stored (an integer
  // beyond INT64); ResourceExhausted("overloaded") when the queue is full and the policy is kDrop (under
  // kBlock it waits); Unavailable when the engine is closing.
  Status Append(simdjson::dom::element document);

  // Hands the batch over when it is old enough, and gives unspent credits back when nothing was appended
  // since the previous call; call it regularly (each event-loop turn). Cheap.
  void Tick();
  // Hands the batch over now and gives back unspent credits.
  void HandOff();

  size_t buffered_rows() const { return batch_->num_rows(); }
  // Adds this appender's counts to the engine's (done per batch and per Tick; call it to be exact now).
  void PublishCounters();

 private:
  bool TakeCredits();
  void Send();  // hands the batch to the writer

  Engine* engine_;
  Shredder shredder_;
  std::unique_ptr<RowBatch> batch_;
  size_t credits_ = 0;
  bool appended_since_tick_ = false;
  // Added to the engine's counters per batch or tick, not per log.
  uint64_t appended_ = 0;
  uint64_t rejected_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace logdaemon::storage
