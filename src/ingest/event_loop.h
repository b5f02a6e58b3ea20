// EventLoop: one ingest thread (DESIGN.md §3). It owns its connections, its FrameHandler (parser,
// validator, storage appender) and its counters; the acceptor hands it new connections through a small
// inbox (a mutex per connection accepted, never per message) and wakes it with an eventfd. Two backends
// implement the I/O: io_uring (uring_loop.cc) and epoll (epoll_loop.cc).
//
// Shutdown (DESIGN.md §5.5): Stop() makes the loop stop reading, answer the frames it has read, send the
// replies (for at most kDrainTimeout), close every connection, hand its batch to the storage engine and
// return.
//
// Thread-safety: Adopt(), Stop() and counters() from any thread; the rest is the loop's own.
#pragma once

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "ingest/frame_handler.h"
#include "ingest/loop_counters.h"
#include "ingest/memory_budget.h"
#include "ingest/session.h"
#include "logdaemon/schema.h"
#include "logdaemon/server.h"
#include "logdaemon/status.h"
#include "storage/engine.h"

namespace logdaemon::ingest {

struct LoopContext {
  const SchemaValidator* schema = nullptr;
  storage::Engine* engine = nullptr;
  SessionLimits limits;
  // Connections open across all loops; each loop decrements it when it closes one (the acceptor
  // increments it), so --max-connections holds globally.
  std::atomic<size_t>* open_connections = nullptr;
  // The ingest memory budget shared by every loop (nullptr: unlimited).
  MemoryBudget* memory_budget = nullptr;
};

class EventLoop {
 public:
  // How long a shutting-down loop keeps sending replies to clients that are slow to read them.
  static constexpr std::chrono::seconds kDrainTimeout{5};
  // The loop wakes at least this often: batches are handed over by age, timeouts are checked.
  static constexpr int kTickMillis = 50;
  // While a connection waits for room (--overflow block), the loop retries its frame this often.
  static constexpr int kRoomRetryMillis = 5;

  static std::unique_ptr<EventLoop> Create(IoBackend backend, const LoopContext& context);
  virtual ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Starts the thread; returns once the backend is set up in it (an io_uring ring belongs to the
  // thread that created it), with its error if that failed.
  Status Start();
  // Takes ownership of a connected, non-blocking socket.
  void Adopt(int fd);
  void Stop();
  void Join();

  const LoopCounters& counters() const { return counters_; }

 protected:
  explicit EventLoop(const LoopContext& context);

  virtual Status Init() = 0;  // in the loop's thread
  virtual void Run() = 0;     // until stopping() and every connection is closed

  bool stopping() const { return stop_.load(std::memory_order_acquire); }
  int wake_fd() const { return wake_fd_; }
  // Connections handed over since the last call (the loop reads wake_fd() first).
  std::vector<int> TakeInbox();
  // Counts a connection closed (after close(fd)).
  void ConnectionClosed();
  static int64_t NowNs();  // CLOCK_MONOTONIC_COARSE: a vDSO read, no syscall
  // How long the loop may wait for events: shorter while a connection waits for room.
  int WaitMillis() const { return handler_->room_waiting() ? kRoomRetryMillis : kTickMillis; }
  // Offers the frames of the connections waiting for room again (--overflow block); `after` is called
  // for each of them (the backend then sends their replies and reads them again if they were admitted).
  template <typename Connections, typename After>
  void RetryRoomWaiting(Connections& connections, After after) {
    if (!handler_->room_waiting()) return;
    handler_->ClearRoomWaiting();  // set again by a frame that still finds no room
    for (auto& c : connections) {
      if (!c->session.waiting_for_room()) continue;
      c->session.RetryHeld(*handler_);
      after(c.get());
    }
  }

  LoopContext context_;
  LoopCounters counters_;
  // This loop's window on the memory budget; declared before anything that charges it (the backends'
  // connections are members of the derived classes, destroyed first).
  MemoryAccount account_;
  std::unique_ptr<FrameHandler> handler_;

 private:
  void ThreadMain(std::promise<Status>* ready);

  int wake_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex inbox_mutex_;
  std::vector<int> inbox_;
  std::thread thread_;
};

std::unique_ptr<EventLoop> NewEpollLoop(const LoopContext& context);
std::unique_ptr<EventLoop> NewUringLoop(const LoopContext& context);
// Whether this kernel (and its seccomp policy) lets us set up an io_uring with what the loop needs.
bool UringAvailable();

}  // namespace logdaemon::ingest
