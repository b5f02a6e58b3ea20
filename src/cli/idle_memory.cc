#include "cli/idle_memory.h"

#include <pthread.h>

#include <cstdlib>  // defines __GLIBC__ on glibc (through <features.h>), tested below

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "cli/allocator.h"
#include "metrics/exposition.h"
#include "metrics/process_metrics.h"

namespace logdaemon::cli {
namespace {

// process_resident_memory_bytes' reading; 0 when /proc cannot be read.
uint64_t ResidentBytes() {
  Result<metrics::ProcessMetrics> process = metrics::ReadProcessMetrics();
  return process.ok() ? process->resident_memory_bytes : 0;
}

void TrimHeap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace

IdleMemoryReturner::IdleMemoryReturner(std::function<Activity()> activity, std::function<void()> release,
                                       std::chrono::milliseconds tick, std::function<void()> trim)
    : activity_(std::move(activity)),
      release_(std::move(release)),
      tick_(tick),
      trim_(trim ? std::move(trim) : TrimHeap) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ld-idle-trim");
    Run();
  });
}

IdleMemoryReturner::~IdleMemoryReturner() {
  Stop();
}

void IdleMemoryReturner::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void IdleMemoryReturner::Run() {
  Activity last = activity_();
  bool busy_since_trim = false;
  std::unique_lock lock(mutex_);
  while (!cv_.wait_for(lock, tick_, [this] { return stop_; })) {
    lock.unlock();
    const Activity now = activity_();
    const bool busy = now.logs - last.logs >= kBusyLogs || now.merges != last.merges || now.merging;
    last = now;
    if (busy) {
      busy_since_trim = true;
    } else if (busy_since_trim) {
      Trim();
      busy_since_trim = false;
    }
    lock.lock();
  }
}

void IdleMemoryReturner::Trim() {
  const uint64_t before = ResidentBytes();
  if (release_) release_();
  trim_();
  const uint64_t after = ResidentBytes();
  if (after < before) returned_bytes_.fetch_add(before - after, std::memory_order_relaxed);
  trims_.fetch_add(1, std::memory_order_relaxed);
}

void IdleMemoryReturner::AppendMetrics(std::string* page) const {
  metrics::TextExposition out;
  out.Counter("logdaemon_memory_trims_total",
              "Times the daemon gave the heap memory that work freed back to the kernel, once quiet.",
              static_cast<double>(trims()));
  out.Counter("logdaemon_memory_returned_bytes_total",
              "Resident bytes those trims gave back (the drop in resident memory across each).",
              static_cast<double>(returned_bytes()));
  if (const HeapStats heap = ReadHeapStats(); heap.known) {
    out.Gauge("logdaemon_heap_allocated_bytes", "Bytes of heap blocks the daemon holds (malloc's count).",
              static_cast<double>(heap.allocated));
    out.Gauge("logdaemon_heap_free_bytes",
              "Bytes free inside malloc's heaps, reusable: resident until a trim gives their pages back.",
              static_cast<double>(heap.free));
  }
  page->append(out.text());
}

}  // namespace logdaemon::cli
