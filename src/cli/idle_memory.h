// IdleMemoryReturner: gives the memory that a burst needed back to the kernel once the daemon goes quiet
// (DESIGN.md §3, issue #13).
//
// The memory budget bounds what the daemon holds at any moment, but after a burst, a large merge or a
// lagging writer's big flush files it would keep holding that high-water mark, for as long as it runs,
// on a host it shares with the applications it serves: the storage engine keeps spare row batches (up to
// 4 MiB) and flush buffers for reuse, and glibc keeps what is freed inside its arenas (only the top of a
// heap is given back, and only past M_TRIM_THRESHOLD). So a trim first runs the `release` callback (the
// engine frees its spares), then malloc_trim(0), which returns every whole free page of every arena
// (madvise): the resident size comes back to what is live.
//
// It runs on its own thread once a tick (a second): the first tick with little work after a busy one
// trims, once. A busy tick received or wrote kBusyLogs logs or more, finished a merge, or ended with one
// running (a long merge finishes no merge for seconds, and holds its buffers throughout). Under load it
// never trims: pages the next flush would fault straight back in cost CPU for nothing. A trickle of logs
// counts as quiet, so the memory of a merge under a trickle is given back too.
//
// Thread-safety: the activity callback runs on the returner's thread and must not call back into it;
// AppendMetrics and the getters from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace logdaemon::cli {

class IdleMemoryReturner {
 public:
  // Monotonic counts of the work that allocates — logs received and written, merges finished — and
  // whether a merge is running at the moment of the reading.
  struct Activity {
    uint64_t logs = 0;
    uint64_t merges = 0;
    bool merging = false;
  };
  static constexpr uint64_t kBusyLogs = 1000;

  // Starts the thread. Before each trim `release` runs (the storage engine frees what it keeps for
  // reuse); `trim` returns the memory (malloc_trim by default; tests count calls instead).
  explicit IdleMemoryReturner(std::function<Activity()> activity, std::function<void()> release = {},
                              std::chrono::milliseconds tick = std::chrono::seconds(1),
                              std::function<void()> trim = {});
  ~IdleMemoryReturner();  // Stop()
  // Stops the thread (idempotent): call it before closing what the callbacks use.
  void Stop();
  IdleMemoryReturner(const IdleMemoryReturner&) = delete;
  IdleMemoryReturner& operator=(const IdleMemoryReturner&) = delete;

  uint64_t trims() const { return trims_.load(std::memory_order_relaxed); }
  // Resident bytes the trims gave back (the drop in VmRSS across each; 0 where /proc cannot be read).
  uint64_t returned_bytes() const { return returned_bytes_.load(std::memory_order_relaxed); }
  // logdaemon_memory_trims_total and logdaemon_memory_returned_bytes_total (docs/metrics.md).
  void AppendMetrics(std::string* page) const;

 private:
  void Run();
  void Trim();

  const std::function<Activity()> activity_;
  const std::function<void()> release_;
  const std::chrono::milliseconds tick_;
  const std::function<void()> trim_;
  std::atomic<uint64_t> trims_{0};
  std::atomic<uint64_t> returned_bytes_{0};
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace logdaemon::cli
