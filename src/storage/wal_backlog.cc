#include "storage/wal_backlog.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>

#include "storage/wal.h"
#include "storage/wal_format.h"

namespace logdaemon::storage {

namespace {

// Spans pushed back to back in one segment are read as one, up to this many bytes: enough that a read
// costs little per log, small enough to stay a small part of the memory budget.
constexpr uint64_t kMaxReadBytes = uint64_t{1} << 20;

int64_t SteadyNow() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

WalBacklog::WalBacklog(const WalDirectory* wal, WalBacklogCallbacks callbacks)
    : wal_(wal), callbacks_(std::move(callbacks)) {}

WalBacklog::~WalBacklog() {
  Stop();
}

void WalBacklog::Start() {
  thread_ = std::thread([this] {
    // Named like the engine's other threads, so that per-thread CPU (top -H, bench/memory.sh) shows
    // what reading logs back from the write-ahead log costs.
    pthread_setname_np(pthread_self(), "ld-wal-backlog");
    Run();
  });
}

void WalBacklog::Drain(int64_t deadline_ns) {
  {
    std::unique_lock lock(mutex_);
    auto idle = [&] { return to_read_.empty() && !reading_; };
    while (!idle() && thread_.joinable()) {
      const int64_t left = deadline_ns - SteadyNow();
      if (left <= 0) break;
      idle_cv_.wait_for(lock, std::chrono::nanoseconds(left), idle);
    }
    if (!idle()) abandon_.store(true);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  // Whatever was never read stays in the log: pinned, so the trim keeps it for the next start.
  std::lock_guard lock(mutex_);
  for (const WalSpan& span : to_read_) Pin(span.stream, span.first_lsn);
  to_read_.clear();
}

void WalBacklog::Push(const WalSpan& span) {
  std::lock_guard lock(mutex_);
  StreamState& state = streams_[span.stream];
  if (!state.pending.empty() && state.pending.back().last + 1 == span.first_lsn) {
    state.pending.back().last = span.last_lsn;
    state.pending.back().bytes += span.bytes;
  } else {
    state.pending.push_back({span.first_lsn, span.last_lsn, span.bytes});
  }
  WalSpan* last = to_read_.empty() ? nullptr : &to_read_.back();
  if (last != nullptr && last->stream == span.stream && last->segment_first_lsn == span.segment_first_lsn &&
      last->last_lsn + 1 == span.first_lsn && last->offset + last->bytes == span.offset &&
      last->bytes + span.bytes <= kMaxReadBytes) {
    last->last_lsn = span.last_lsn;
    last->bytes += span.bytes;
  } else {
    to_read_.push_back(span);
  }
  logs_.fetch_add(span.logs(), std::memory_order_relaxed);
  bytes_.fetch_add(span.bytes, std::memory_order_relaxed);
  spilled_total_.fetch_add(span.logs(), std::memory_order_relaxed);
  cv_.notify_one();
}

void WalBacklog::Routed(uint32_t stream, uint64_t lsn) {
  std::lock_guard lock(mutex_);
  auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  StreamState& state = it->second;
  while (!state.pending.empty() && state.pending.front().first <= lsn) {
    StreamState::Range& range = state.pending.front();
    logs_.fetch_sub(std::min(range.last, lsn) - range.first + 1, std::memory_order_relaxed);
    if (range.last > lsn) {
      range.first = lsn + 1;
      break;
    }
    bytes_.fetch_sub(range.bytes, std::memory_order_relaxed);
    state.pending.pop_front();
  }
  if (state.pending.empty() && state.pinned == UINT64_MAX) streams_.erase(it);
}

void WalBacklog::LowerStoredThrough(std::map<uint32_t, uint64_t>* stored_through) const {
  std::lock_guard lock(mutex_);
  for (const auto& [stream, state] : streams_) {
    uint64_t oldest = state.pinned;
    if (!state.pending.empty()) oldest = std::min(oldest, state.pending.front().first);
    auto it = stored_through->find(stream);
    if (it != stored_through->end() && oldest != UINT64_MAX) it->second = std::min(it->second, oldest - 1);
  }
}

void WalBacklog::Pin(uint32_t stream, uint64_t from_lsn) {
  StreamState& state = streams_[stream];
  state.pinned = std::min(state.pinned, from_lsn);
}

void WalBacklog::WaitIdle() {
  std::unique_lock lock(mutex_);
  idle_cv_.wait(lock, [&] { return (to_read_.empty() && !reading_) || stop_; });
}

void WalBacklog::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (to_read_.empty()) {
      // Caught up: what is buffered goes to the writer now — before anyone waiting for idleness (Flush)
      // is told, so that their flush request queues behind it.
      lock.unlock();
      callbacks_.hand_off();
      lock.lock();
      if (to_read_.empty()) {
        reading_ = false;
        idle_cv_.notify_all();
        cv_.wait(lock, [&] { return !to_read_.empty() || stop_; });
        if (to_read_.empty()) break;  // stopped, with nothing left
      }
    }
    if (abandon_.load()) break;
    const WalSpan span = to_read_.front();
    to_read_.pop_front();
    reading_ = true;
    lock.unlock();
    const uint64_t stored_through = ReadSpan(span);
    lock.lock();
    if (stored_through <= span.last_lsn) Pin(span.stream, stored_through);
  }
  lock.unlock();
  callbacks_.hand_off();
  lock.lock();
  reading_ = false;
  idle_cv_.notify_all();
}

uint64_t WalBacklog::ReadSpan(const WalSpan& span) {
  const std::string path = wal_->SegmentPath(span.stream, span.segment_first_lsn);
  auto failed = [&](const Status& st, uint64_t lsn) {
    callbacks_.report_error(st.WithContext("reading back the write-ahead log's backlog (" +
                                           std::to_string(span.last_lsn - lsn + 1) +
                                           " logs stay in the log for the next start)"));
    return lsn;
  };
  if (Status st = wal_->fs()->ReadAt(path, span.offset, span.bytes, &buffer_); !st.ok()) {
    return failed(st, span.first_lsn);
  }
  WalRecordReader reader(buffer_, span.first_lsn);
  uint64_t lsn = 0;
  std::string_view payload;
  uint64_t next = span.first_lsn;
  while (next <= span.last_lsn && !abandon_.load(std::memory_order_relaxed) && reader.Next(&lsn, &payload)) {
    Status st = callbacks_.store(span.stream, lsn, payload);
    if (st.code() == Status::Code::kUnavailable) return next;  // shutting down: the rest stays logged
    next = lsn + 1;
  }
  if (next <= span.last_lsn && !abandon_.load()) {
    return failed(
        Status::Corruption(path + ": the record with LSN " + std::to_string(next) + " at or after offset " +
                           std::to_string(span.offset) + " does not read back"),
        next);
  }
  return next;
}

}  // namespace logdaemon::storage
