// Admission: the bounded queue's capacity, in logs, as credits. An appender takes credits in chunks (one
// atomic operation per chunk, not per log), spends LogCredits(text bytes) per accepted log — one for a
// log up to 1 KiB, one more per further KiB — and the writer gives them back once the rows are encoded.
// So at most `capacity` logs, and about `capacity` KiB of them, are held unencoded across every
// appender, the queue and the writer (10 000 logs of 100 KB would otherwise be a gigabyte), plus
// nothing: unspent credits in appenders count against the capacity too.
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace logdaemon::storage {

inline constexpr size_t kBytesPerCredit = 1024;

// The credits a log of `text_bytes` takes: 1 + text_bytes / kBytesPerCredit, at most `capacity` (so a
// log larger than the queue still fits into an empty one).
inline size_t LogCredits(size_t text_bytes, size_t capacity) {
  const size_t credits = 1 + text_bytes / kBytesPerCredit;
  return credits < capacity ? credits : (capacity > 0 ? capacity : 1);
}

class Admission {
 public:
  explicit Admission(size_t capacity) : capacity_(capacity), available_(static_cast<int64_t>(capacity)) {}

  size_t capacity() const { return capacity_; }
  // Logs admitted and not yet released (including credits held unspent by appenders).
  size_t in_use() const {
    int64_t available = available_.load(std::memory_order_relaxed);
    return capacity_ - static_cast<size_t>(available < 0 ? 0 : available);
  }

  // Takes up to `want` credits without waiting; returns how many (0 when the queue is full).
  size_t TryAcquire(size_t want) {
    int64_t available = available_.load(std::memory_order_relaxed);
    while (available > 0) {
      int64_t take = available < static_cast<int64_t>(want) ? available : static_cast<int64_t>(want);
      if (available_.compare_exchange_weak(available, available - take, std::memory_order_acquire)) {
        return static_cast<size_t>(take);
      }
    }
    return 0;
  }

  // Waits until at least one credit is free (or `give_up` becomes true, or `timeout` passes), then takes
  // up to `want`. Returns 0 when it gave up.
  size_t Acquire(size_t want, const std::atomic<bool>& give_up, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (size_t got = TryAcquire(want); got > 0) return got;
      std::unique_lock lock(mutex_);
      if (give_up.load()) return 0;
      // Re-check under the lock: Release notifies under it, so no wake-up is missed.
      if (available_.load() > 0) continue;
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) return TryAcquire(want);
    }
  }

  void Release(size_t n) {
    if (n == 0) return;
    available_.fetch_add(static_cast<int64_t>(n), std::memory_order_release);
    std::lock_guard lock(mutex_);
    cv_.notify_all();
  }

  // Wakes every waiter (shutdown).
  void WakeAll() {
    std::lock_guard lock(mutex_);
    cv_.notify_all();
  }

 private:
  const size_t capacity_;
  std::atomic<int64_t> available_;
  std::mutex mutex_;
  std::condition_variable cv_;
};

}  // namespace logdaemon::storage
