#include "http/query_runner.h"

#include <poll.h>

#include <chrono>

namespace logdaemon::http {

namespace {
constexpr auto kWatchInterval = std::chrono::milliseconds(200);
constexpr auto kKeepAliveAfter = std::chrono::seconds(15);
}  // namespace

QueryRunner::QueryRunner(size_t workers, size_t max_waiting, size_t max_tails)
    : max_waiting_(max_waiting), max_tails_(max_tails) {
  for (size_t i = 0; i < std::max<size_t>(workers, 1); ++i)
    workers_.emplace_back(&QueryRunner::WorkerLoop, this);
  watcher_ = std::thread(&QueryRunner::WatcherLoop, this);
}

QueryRunner::~QueryRunner() {
  Shutdown();
}

bool QueryRunner::Submit(std::shared_ptr<QueryJob> job, std::function<void()> work) {
  std::lock_guard lock(mutex_);
  if (stopping_ || queue_.size() >= max_waiting_) return false;
  queue_.push_back({std::move(job), std::move(work)});
  wake_.notify_all();
  return true;
}

bool QueryRunner::StartTail(std::shared_ptr<QueryJob> job, std::function<void()> work) {
  std::lock_guard lock(mutex_);
  if (stopping_ || tails_ >= max_tails_) return false;
  ++tails_;
  running_.insert(job);
  std::thread([this, job, work = std::move(work)]() mutable {
    work();
    std::lock_guard done(mutex_);
    running_.erase(job);
    --tails_;
    tails_done_.notify_all();
  }).detach();
  return true;
}

void QueryRunner::Run(Task& task) {
  {
    std::lock_guard lock(mutex_);
    running_.insert(task.job);
  }
  task.work();
  std::lock_guard lock(mutex_);
  running_.erase(task.job);
}

void QueryRunner::WorkerLoop() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    Task task = std::move(queue_.front());
    queue_.pop_front();
    if (stopping_) task.job->Cancel();  // it still answers (cancelled), so its connection is resumed
    lock.unlock();
    Run(task);
    lock.lock();
  }
}

void QueryRunner::WatcherLoop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, kWatchInterval, [&] { return stopping_; });
    if (stopping_) break;
    // A copy: polling and cancelling happen without the lock.
    std::vector<std::shared_ptr<QueryJob>> jobs(running_.begin(), running_.end());
    lock.unlock();
    const auto now = std::chrono::steady_clock::now();
    for (const auto& job : jobs) {
      struct pollfd fd = {job->socket(), POLLRDHUP, 0};
      if (job->socket() >= 0 && job->watched() && ::poll(&fd, 1, 0) > 0 &&
          (fd.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) {
        if (!job->cancelled()) cancelled_by_client_.fetch_add(1, std::memory_order_relaxed);
        job->Cancel();
      } else if (now - job->last_append() > kKeepAliveAfter) {
        job->KeepAlive();
      }
    }
    lock.lock();
  }
}

size_t QueryRunner::running() const {
  std::lock_guard lock(mutex_);
  return running_.size();
}

void QueryRunner::Shutdown() {
  std::vector<std::thread> threads;
  {
    std::unique_lock lock(mutex_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    for (const auto& job : running_) job->Cancel();
    wake_.notify_all();
    threads.swap(workers_);
    // A tail's follower wakes on its job's stop_fd; its thread ends at once.
    tails_done_.wait(lock, [&] { return tails_ == 0; });
  }
  for (std::thread& t : threads) t.join();
  if (watcher_.joinable()) watcher_.join();
}

}  // namespace logdaemon::http
