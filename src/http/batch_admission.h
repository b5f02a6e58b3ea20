// Batch admission: one HTTP request's logs through the admission path every front door shares
// (ingest::LogAdmitter), with the same guarantees as the socket — a log counts as accepted only once its
// group commit made it durable (durable mode), so an HTTP 2xx means what `OK` means.
//
// AdmitterPool: the server's handler threads take an admitter per request (one lock per request, not per
// log). Each admitter owns a storage Appender, hence a write-ahead log stream in durable mode; the pool
// makes at most as many as requests ever ran at once (the handler threads), and keeps them for reuse.
//
// Thread-safety: AdmitterPool is thread-safe; AdmitBatch runs on the thread that holds the admitter.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http/log_batch.h"
#include "ingest/log_admitter.h"
#include "ingest/loop_counters.h"

namespace logdaemon::http {

// What became of each log of a request.
struct BatchOutcome {
  std::vector<ingest::AdmitResult> results;  // one per log, in order
  // The message of each log not accepted: (log index, message), in order.
  std::vector<std::pair<size_t, std::string>> messages;
  size_t accepted = 0;
  size_t rejected = 0;               // kRejected (the log itself, or the storage)
  size_t no_room = 0;                // kNoRoom
  bool storage_unavailable = false;  // a log was refused because the storage cannot write
  // The message of a log, or "" when it was accepted.
  std::string_view MessageOf(size_t log) const;
};

class AdmitterPool {
 public:
  AdmitterPool(const SchemaValidator& schema, storage::Engine& engine) : schema_(schema), engine_(engine) {}
  ~AdmitterPool();  // the admitters hand over what they hold; destroy before the storage engine closes

  class Lease {
   public:
    Lease(AdmitterPool* pool, std::unique_ptr<ingest::LogAdmitter> admitter)
        : pool_(pool), admitter_(std::move(admitter)) {}
    ~Lease() {
      if (admitter_) pool_->Return(std::move(admitter_));
    }
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ingest::LogAdmitter& operator*() { return *admitter_; }
    ingest::LogAdmitter* operator->() { return admitter_.get(); }

   private:
    AdmitterPool* pool_;
    std::unique_ptr<ingest::LogAdmitter> admitter_;
  };
  Lease Acquire();

 private:
  void Return(std::unique_ptr<ingest::LogAdmitter> admitter);

  const SchemaValidator& schema_;
  storage::Engine& engine_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<ingest::LogAdmitter>> free_;
};

// Admits every log of `logs` (Finish()ed) and commits them; counts into `counters` (per log, as the
// socket's loops do). After the first log that finds no room, the rest are not tried (kNoRoom too): the
// client resends the tail of its batch. When the commit fails, every accepted log becomes a rejection
// with the storage's message.
BatchOutcome AdmitBatch(ingest::LogAdmitter& admitter, const LogBatch& logs, ingest::CounterValues* counters);

}  // namespace logdaemon::http
