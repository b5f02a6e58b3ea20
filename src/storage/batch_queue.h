// BatchQueue: what flows from the appenders to the writer — batches of rows and flush requests — and the
// spare batches the writer hands back for the appenders to fill next. The engine owns it; appenders
// enqueue through the engine, and the writer is handed the queue itself (not the engine).
//
// The queue is not bounded here: admission credits (storage/admission.h) bound the rows it can hold.
//
// Thread-safety: every method is thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "logdaemon/status.h"
#include "storage/row_batch.h"

namespace logdaemon::storage {

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

class BatchQueue {
 public:
  // New batches are made for `layout`, which must outlive the queue.
  explicit BatchQueue(const TableLayout& layout) : layout_(layout) {}
  BatchQueue(const BatchQueue&) = delete;
  BatchQueue& operator=(const BatchQueue&) = delete;

  // Appender side: hands a non-empty batch to the writer; returns an empty batch to fill next.
  std::unique_ptr<RowBatch> Enqueue(std::unique_ptr<RowBatch> batch);
  // A cleared batch from the pool (or a new one).
  std::unique_ptr<RowBatch> TakeBatch();
  void RecycleBatch(std::unique_ptr<RowBatch> batch);
  // Frees the spare batches (the daemon has gone quiet); new ones are made as they are needed.
  void DropSpares();
  // Queues a flush request behind everything queued; false once the queue is stopped.
  bool PushFlush(std::shared_ptr<FlushToken> token);

  // Writer side: waits until items are queued or `deadline_ns` (steady) passes; moves them to *out.
  // Returns false once the queue is stopped and empty.
  bool DequeueAll(int64_t deadline_ns, std::deque<QueueItem>* out);
  // The writer drains what is queued and then ends (DequeueAll returns false).
  void Stop();

 private:
  std::unique_ptr<RowBatch> PopSpareLocked();

  const TableLayout& layout_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<QueueItem> queue_;
  bool stopped_ = false;
  std::vector<std::unique_ptr<RowBatch>> pool_;  // spare batches, under mutex_
  size_t pool_bytes_ = 0;                        // their capacity
  static constexpr size_t kMaxSpareBatchBytes = size_t{4} << 20;
};

}  // namespace logdaemon::storage
