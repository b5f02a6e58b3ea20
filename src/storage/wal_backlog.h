// WalBacklog: logs that are in the write-ahead log but found no room in memory (DESIGN.md §1 step 5:
// bursts go to disk, not to RAM). With durable acks, an appender whose engine has no admission credits
// left does not refuse the log: it logs it (its `OK` still waits for the group's fdatasync) and, once the
// group is durable, hands the backlog a span — where those records sit in the log. The backlog's thread
// reads the spans back in order and stores their records through the callbacks (which wait for room in
// memory), so the writer catches up from disk at its own pace while memory stays bounded.
//
// The write-ahead log must keep a record until it is in a published file: the writer routes rows in any
// stream order now (a spilled record may be older than rows that went through memory), so its trim point
// per stream is lowered to below the oldest record the backlog holds (LowerStoredThrough), and the writer
// tells the backlog what it routed (Routed). A span that cannot be read back (an I/O error) is pinned:
// its records stay in the log and are stored at the next start.
//
// While the backlog holds anything, appenders keep logging to it rather than taking the credits the
// backlog's thread waits for: otherwise a steady stream would starve it.
//
// Thread-safety: Push from appenders, Routed and LowerStoredThrough from the writer, the rest from the
// engine; internally locked (once per group or batch, never per log).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "logdaemon/status.h"
#include "storage/fs.h"

namespace logdaemon::storage {

class WalDirectory;

// Consecutive records of one stream in one segment.
struct WalSpan {
  uint32_t stream = 0;
  uint64_t segment_first_lsn = 0;
  uint64_t offset = 0;  // of the first record in the segment file
  uint64_t first_lsn = 0;
  uint64_t last_lsn = 0;
  uint64_t bytes = 0;  // the records' bytes, headers included
  uint64_t logs() const { return last_lsn - first_lsn + 1; }
};

struct WalBacklogCallbacks {
  // Stores one record (on the backlog's thread); waits for room. Unavailable: give up (shutting down).
  std::function<Status(uint32_t stream, uint64_t lsn, std::string_view payload)> store;
  // Hands what store() buffered to the writer (the backlog is empty, or it stops).
  std::function<void()> hand_off;
  std::function<void(const Status&)> report_error;
};

class WalBacklog {
 public:
  WalBacklog(const WalDirectory* wal, WalBacklogCallbacks callbacks);
  ~WalBacklog();  // Stop()
  WalBacklog(const WalBacklog&) = delete;
  WalBacklog& operator=(const WalBacklog&) = delete;

  void Start();
  // Reads what is queued until it is empty or `deadline_ns` (steady clock) passes, then stops the
  // thread. What is left unread stays in the log (pinned) for the next start.
  void Drain(int64_t deadline_ns);
  void Stop() { Drain(0); }
  // Waits until everything pushed so far has been read and handed to the writer's queue (Flush).
  void WaitIdle();

  // Appender: the records of `span` are durable and must be stored. Spans of a stream come in LSN order.
  void Push(const WalSpan& span);
  // Whether no pushed record waits to be routed (appenders read it without a lock).
  bool empty() const { return logs_.load(std::memory_order_relaxed) == 0; }
  uint64_t logs() const { return logs_.load(std::memory_order_relaxed); }
  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  uint64_t spilled_total() const { return spilled_total_.load(std::memory_order_relaxed); }
  // Set once Drain's deadline passed: store() should stop waiting for room.
  const std::atomic<bool>& abandon_flag() const { return abandon_; }

  // Writer: rows of `stream` read back from the log, up to `lsn`, were routed into open files.
  void Routed(uint32_t stream, uint64_t lsn);
  // Writer's trim: lowers each stream's stored-through LSN below the oldest record held here.
  void LowerStoredThrough(std::map<uint32_t, uint64_t>* stored_through) const;

 private:
  struct StreamState {
    struct Range {
      uint64_t first = 0;
      uint64_t last = 0;
      uint64_t bytes = 0;
    };
    std::deque<Range> pending;     // LSN ranges pushed and not routed, in order
    uint64_t pinned = UINT64_MAX;  // lowest LSN that will not be stored this run
  };

  void Run();
  // Reads one span and stores its records; the LSN of the first record not stored (last + 1 when all).
  uint64_t ReadSpan(const WalSpan& span);
  void Pin(uint32_t stream, uint64_t from_lsn);

  const WalDirectory* const wal_;
  const WalBacklogCallbacks callbacks_;
  std::atomic<uint64_t> logs_{0};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> spilled_total_{0};
  std::atomic<bool> abandon_{false};  // Drain's deadline passed: stop between records

  mutable std::mutex mutex_;
  std::condition_variable cv_;       // work for the thread
  std::condition_variable idle_cv_;  // the thread has nothing left (Drain)
  std::deque<WalSpan> to_read_;
  std::map<uint32_t, StreamState> streams_;
  bool reading_ = false;
  bool stop_ = false;
  std::string buffer_;  // the thread's
  std::thread thread_;
};

}  // namespace logdaemon::storage
