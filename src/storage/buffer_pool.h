// BufferPool: flush-file buffers handed back by the publisher once their bytes are on disk, for the
// writer's next open file.
//
// Why: a flush file is encoded into memory (storage/memory_sink.h) and is up to kMaxFlushBytes; a fresh
// ByteBuffer per file grows by doubling, and every allocation that large is a new mmap whose pages fault
// in on first touch and are unmapped again on free. Profiled at full ingest that was ~21 % of the writer
// thread (a memmove into freshly faulted pages). Reusing two or three buffers keeps their pages mapped
// and already at the size the files need.
//
// Bounded: at most `max_buffers` buffers of at most `max_capacity` bytes each are kept; anything else is
// freed. held_bytes() is the pool's part of the writer's memory.
//
// Thread-safety: Take() and Give() may be called from any thread (the writer takes, the publisher gives).
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <vector>

#include "parquet/byte_buffer.h"

namespace logdaemon::storage {

class BufferPool {
 public:
  BufferPool(size_t max_buffers, size_t max_capacity)
      : max_buffers_(max_buffers), max_capacity_(max_capacity) {}

  // An empty buffer, with the capacity of a returned one when there is one.
  parquet::ByteBuffer Take() {
    std::lock_guard lock(mutex_);
    if (free_.empty()) return {};
    parquet::ByteBuffer buffer = std::move(free_.back());
    free_.pop_back();
    held_bytes_.fetch_sub(buffer.capacity(), std::memory_order_relaxed);
    return buffer;
  }

  // Keeps `buffer` for a later Take(), or frees it when the pool is full or the buffer too big.
  void Give(parquet::ByteBuffer buffer) {
    if (buffer.capacity() == 0 || buffer.capacity() > max_capacity_) return;
    buffer.clear();
    std::lock_guard lock(mutex_);
    if (free_.size() >= max_buffers_) return;
    held_bytes_.fetch_add(buffer.capacity(), std::memory_order_relaxed);
    free_.push_back(std::move(buffer));
  }

  // Frees every kept buffer (the daemon has gone quiet: the next file can fault its pages in again).
  void Clear() {
    std::vector<parquet::ByteBuffer> freed;  // destroyed after the lock: munmap outside it
    std::lock_guard lock(mutex_);
    freed.swap(free_);
    held_bytes_.store(0, std::memory_order_relaxed);
  }

  size_t held_bytes() const { return held_bytes_.load(std::memory_order_relaxed); }

 private:
  const size_t max_buffers_;
  const size_t max_capacity_;
  std::mutex mutex_;
  std::vector<parquet::ByteBuffer> free_;
  std::atomic<size_t> held_bytes_{0};
};

}  // namespace logdaemon::storage
