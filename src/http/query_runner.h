// QueryRunner: the threads the query API runs on, apart from libmicrohttpd's (which also serve ingest, so
// that no query, however slow, delays a log's acknowledgement).
//
// - `workers` threads run the one-shot queries (query, histogram, fields), in arrival order; at most
//   `max_waiting` wait for one, and a request beyond that is refused (503), so that a burst of queries
//   holds neither memory nor connections without bound.
// - Each tail has a thread of its own (a follower spends its life waiting for new files); at most
//   `max_tails` at once.
// - One watcher thread polls the sockets of the jobs in progress every 200 ms and cancels a job whose
//   client hung up (libmicrohttpd does not watch a suspended connection), and sends a tail that has been
//   quiet for 15 s a comment line, so that proxies keep it open and a dead peer is noticed.
//
// Thread-safety: Submit, StartTail from any thread; Shutdown (and the destructor) from one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "http/query_job.h"

namespace logdaemon::http {

class QueryRunner {
 public:
  QueryRunner(size_t workers, size_t max_waiting, size_t max_tails);
  ~QueryRunner();  // Shutdown()
  QueryRunner(const QueryRunner&) = delete;
  QueryRunner& operator=(const QueryRunner&) = delete;

  // Runs `work` on a worker; the job is watched until `work` returns. False: too many queries waiting.
  bool Submit(std::shared_ptr<QueryJob> job, std::function<void()> work);
  // Runs `work` on a thread of its own; the job is watched until it returns. False: too many tails.
  bool StartTail(std::shared_ptr<QueryJob> job, std::function<void()> work);
  // Cancels every job, waits for the threads. Later calls refuse work.
  void Shutdown();

  size_t running() const;
  // Jobs the watcher cancelled because their client hung up.
  uint64_t cancelled_by_client() const { return cancelled_by_client_.load(std::memory_order_relaxed); }

 private:
  struct Task {
    std::shared_ptr<QueryJob> job;
    std::function<void()> work;
  };
  void WorkerLoop();
  void WatcherLoop();
  void Run(Task& task);

  const size_t max_waiting_;
  const size_t max_tails_;
  mutable std::mutex mutex_;
  std::atomic<uint64_t> cancelled_by_client_{0};
  std::condition_variable wake_;
  std::deque<Task> queue_;
  std::set<std::shared_ptr<QueryJob>> running_;
  size_t tails_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  std::condition_variable tails_done_;  // tails_ fell (tail threads are detached; Shutdown waits for 0)
  std::thread watcher_;
};

}  // namespace logdaemon::http
