#include "storage/batch_queue.h"

#include <algorithm>
#include <chrono>

#include "storage/clock.h"

namespace logdaemon::storage {

std::unique_ptr<RowBatch> BatchQueue::Enqueue(std::unique_ptr<RowBatch> batch) {
  std::lock_guard lock(mutex_);
  queue_.push_back({std::move(batch), nullptr});
  cv_.notify_one();
  if (std::unique_ptr<RowBatch> next = PopSpareLocked()) return next;
  return std::make_unique<RowBatch>(layout_);
}

std::unique_ptr<RowBatch> BatchQueue::TakeBatch() {
  {
    std::lock_guard lock(mutex_);
    if (std::unique_ptr<RowBatch> next = PopSpareLocked()) return next;
  }
  return std::make_unique<RowBatch>(layout_);
}

std::unique_ptr<RowBatch> BatchQueue::PopSpareLocked() {
  if (pool_.empty()) return nullptr;
  std::unique_ptr<RowBatch> next = std::move(pool_.back());
  pool_.pop_back();
  pool_bytes_ -= std::min(pool_bytes_, next->CapacityBytes());
  return next;
}

void BatchQueue::RecycleBatch(std::unique_ptr<RowBatch> batch) {
  batch->Clear();
  const size_t capacity = batch->CapacityBytes();
  std::lock_guard lock(mutex_);
  // Enough spares for every appender and the queue, holding at most kMaxSpareBatchBytes: batches of
  // large logs (100 KB each) would otherwise keep tens of MiB of capacity nobody uses.
  if (pool_.size() < 64 && pool_bytes_ + capacity <= kMaxSpareBatchBytes) {
    pool_bytes_ += capacity;
    pool_.push_back(std::move(batch));
  }
}

void BatchQueue::DropSpares() {
  std::vector<std::unique_ptr<RowBatch>> spares;  // freed here, once the lock is released
  {
    std::lock_guard lock(mutex_);
    spares.swap(pool_);
    pool_bytes_ = 0;
  }
}

bool BatchQueue::PushFlush(std::shared_ptr<FlushToken> token) {
  std::lock_guard lock(mutex_);
  if (stopped_) return false;
  queue_.push_back({nullptr, std::move(token)});
  cv_.notify_one();
  return true;
}

bool BatchQueue::DequeueAll(int64_t deadline_ns, std::deque<QueueItem>* out) {
  std::unique_lock lock(mutex_);
  while (queue_.empty() && !stopped_) {
    int64_t wait_ns = deadline_ns - SteadyNanos();
    if (wait_ns <= 0) break;
    cv_.wait_for(lock, std::chrono::nanoseconds(wait_ns));
  }
  std::swap(*out, queue_);
  return !(stopped_ && out->empty());
}

void BatchQueue::Stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  cv_.notify_all();
}

}  // namespace logdaemon::storage
