#include "storage/publisher.h"

#include <pthread.h>
#include <algorithm>
#include <chrono>

#include "storage/clock.h"

namespace logdaemon::storage {

// One spare buffer: the writer takes it for its next file as the publisher gives back the last one, so a
// steady stream of flushes reuses the same few buffers; more spares would only hold memory.
Publisher::Publisher(const StorageContext& context, EngineCounters* counters, EngineEvents events,
                     size_t max_pending, size_t max_buffer_bytes)
    : context_(context),
      counters_(counters),
      events_(std::move(events)),
      max_pending_(max_pending),
      buffers_(/*max_buffers=*/1, max_buffer_bytes) {}

Publisher::~Publisher() {
  if (thread_.joinable()) {
    BeginShutdown(SteadyNanos());
    Stop();
  }
}

void Publisher::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ld-publisher");
    Run();
  });
}

void Publisher::Submit(PendingFile file) {
  std::unique_lock lock(mutex_);
  bool is_file = !file.name.empty();
  if (is_file) {
    cv_.wait(lock, [&] {
      size_t files =
          std::count_if(queue_.begin(), queue_.end(), [](const PendingFile& f) { return !f.name.empty(); });
      return files < max_pending_;
    });
    counters_->pending_files.fetch_add(1, std::memory_order_relaxed);
    counters_->pending_bytes.fetch_add(file.bytes.capacity(), std::memory_order_relaxed);
  }
  queue_.push_back(std::move(file));
  cv_.notify_all();
}

void Publisher::BeginShutdown(int64_t deadline_ns) {
  std::lock_guard lock(mutex_);
  deadline_ns_ = deadline_ns;
  cv_.notify_all();
}

void Publisher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

Status Publisher::Publish(const PendingFile& file, bool* entry_durable) {
  *entry_durable = true;
  FileSystem* fs = context_.fs();
  const std::string tmp_path = JoinPath(context_.tmp_dir(), std::to_string(++tmp_counter_) + "-" + file.name);
  const std::string dir = JoinPath(context_.root(), file.partition_path);
  Status st = [&]() -> Status {
    auto out = fs->NewWritableFile(tmp_path);
    if (!out.ok()) return out.status();
    if (Status s = (*out)->Append(file.bytes.data(), file.bytes.size()); !s.ok()) return s;
    if (Status s = (*out)->Sync(); !s.ok()) return s;
    if (Status s = (*out)->Close(); !s.ok()) return s;
    if (Status s = fs->CreateDirs(dir); !s.ok()) return s;
    if (Status s = fs->Rename(tmp_path, JoinPath(dir, file.name)); !s.ok()) return s;
    return Status::OK();
  }();
  if (!st.ok()) {
    // Nothing visible changed; the temporary file goes (a crash would leave it to start-up).
    (void)fs->Remove(tmp_path);
    return st;
  }
  // The file is visible and its bytes are durable; the directory entry becomes durable with this fsync.
  // A failure is not retried as a new file (that would publish the rows twice); the fsync alone is
  // retried until it succeeds, because what counts as published lets the write-ahead log forget the rows.
  int64_t backoff_ns = 10'000'000;
  for (Status s = fs->SyncDir(dir); !s.ok(); s = fs->SyncDir(dir)) {
    counters_->write_errors.fetch_add(1, std::memory_order_relaxed);
    events_.on_error(s.WithContext("(will retry)"));
    std::unique_lock lock(mutex_);
    if (SteadyNanos() >= deadline_ns_) {
      // Shutting down: the file may or may not survive a power cut. It does not count as published, so
      // the write-ahead log keeps its rows; the next start replays them only if the file is gone.
      *entry_durable = false;
      break;
    }
    cv_.wait_for(lock, std::chrono::nanoseconds(backoff_ns), [&] { return SteadyNanos() >= deadline_ns_; });
    backoff_ns = std::min<int64_t>(backoff_ns * 2, 2'000'000'000);
  }
  // A new partition directory's own entry lives in its parents.
  if (!file.partition_path.empty()) (void)fs->SyncDir(context_.root());
  return Status::OK();
}

void Publisher::Run() {
  using std::chrono::nanoseconds;
  int64_t backoff_ns = 10'000'000;
  for (;;) {
    PendingFile* front = nullptr;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      front = &queue_.front();     // only this thread pops, so the reference stays valid unlocked
    }
    if (front->name.empty()) {
      if (front->token) front->token->Complete(Status::OK());
    } else {
      bool entry_durable = true;
      Status st = Publish(*front, &entry_durable);
      if (!st.ok()) {
        counters_->write_errors.fetch_add(1, std::memory_order_relaxed);
        counters_->SetStorageFailure(st);
        events_.on_error(st.WithContext("writing " + front->name + " (will retry)"));
        std::unique_lock lock(mutex_);
        if (SteadyNanos() >= deadline_ns_) {
          // Shutting down and out of time: give up on everything still queued.
          uint64_t lost = 0;
          for (PendingFile& f : queue_) {
            lost += f.rows;
            if (f.token) f.token->Complete(st);
          }
          counters_->pending_files.store(0, std::memory_order_relaxed);
          counters_->pending_bytes.store(0, std::memory_order_relaxed);
          abandoned_rows_ += lost;
          events_.on_error(Status::IOError(std::to_string(lost) +
                                           " rows could not be written before shutdown: " + st.message()));
          queue_.clear();
          cv_.notify_all();
          continue;
        }
        cv_.wait_for(lock, nanoseconds(backoff_ns), [&] { return SteadyNanos() >= deadline_ns_; });
        backoff_ns = std::min<int64_t>(backoff_ns * 2, 2'000'000'000);
        continue;
      }
      backoff_ns = 10'000'000;
      EngineCounters& counters = *counters_;
      if (counters.storage_failing.load(std::memory_order_relaxed)) {
        counters.ClearStorageFailure();
        events_.on_notice("storage: writing files works again");
      }
      counters.rows_written.fetch_add(front->rows, std::memory_order_relaxed);
      counters.files_written.fetch_add(1, std::memory_order_relaxed);
      counters.bytes_written.fetch_add(front->bytes.size(), std::memory_order_relaxed);
      counters.pending_files.fetch_sub(1, std::memory_order_relaxed);
      counters.RecordLatency(static_cast<double>(SteadyNanos() - front->encoded_ns) / 1e6);
      if (entry_durable) counters.published_sequence.store(front->sequence, std::memory_order_release);
      if (front->token) front->token->Complete(Status::OK());
      events_.on_published();
    }
    parquet::ByteBuffer bytes = std::move(front->bytes);
    counters_->pending_bytes.fetch_sub(bytes.capacity(), std::memory_order_relaxed);
    {
      std::lock_guard lock(mutex_);
      queue_.pop_front();
      cv_.notify_all();
    }
    buffers_.Give(std::move(bytes));
  }
}

}  // namespace logdaemon::storage
