#include "storage/engine_counters.h"

#include <iterator>

#include "logdaemon/storage.h"

namespace logdaemon::storage {

void EngineCounters::SetStorageFailure(const Status& status) {
  std::lock_guard lock(failure_mutex_);
  failure_ = status.message();
  storage_failing.store(true, std::memory_order_release);
}

void EngineCounters::ClearStorageFailure() {
  std::lock_guard lock(failure_mutex_);
  failure_.clear();
  storage_failing.store(false, std::memory_order_release);
}

std::string EngineCounters::StorageFailure() const {
  if (!storage_failing.load(std::memory_order_acquire)) return {};
  std::lock_guard lock(failure_mutex_);
  return failure_;
}

void EngineCounters::RecordLatency(double ms) {
  constexpr size_t kBounds = std::size(StorageStats::kLatencyBoundsMs);
  std::lock_guard lock(latency_mutex);
  if (latency_counts.empty()) latency_counts.assign(kBounds + 1, 0);
  size_t bucket = 0;
  while (bucket < kBounds && ms > StorageStats::kLatencyBoundsMs[bucket]) ++bucket;
  ++latency_counts[bucket];
  latency_sum_ms += ms;
}

}  // namespace logdaemon::storage
