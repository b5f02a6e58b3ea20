#include "ingest/event_loop.h"

#include <pthread.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <string>

namespace logdaemon::ingest {

EventLoop::EventLoop(const LoopContext& context) : context_(context), account_(context.memory_budget) {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

EventLoop::~EventLoop() {
  Stop();
  Join();
  // Connections still in the inbox were never adopted.
  for (int fd : TakeInbox()) {
    ::close(fd);
    context_.open_connections->fetch_sub(1, std::memory_order_relaxed);
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

std::unique_ptr<EventLoop> EventLoop::Create(IoBackend backend, const LoopContext& context) {
  return backend == IoBackend::kUring ? NewUringLoop(context) : NewEpollLoop(context);
}

Status EventLoop::Start() {
  if (wake_fd_ < 0) return Status::IOError(std::string("eventfd: ") + std::strerror(errno));
  std::promise<Status> ready;
  std::future<Status> result = ready.get_future();
  thread_ = std::thread([this, &ready] {
    pthread_setname_np(pthread_self(), "ld-io");
    ThreadMain(&ready);
  });
  Status st = result.get();
  if (!st.ok()) Join();
  return st;
}

void EventLoop::ThreadMain(std::promise<Status>* ready) {
  Status st = Init();
  if (st.ok())
    handler_ = std::make_unique<FrameHandler>(*context_.schema, *context_.engine, &counters_.local, [this] {
      // From the write-ahead log's sync thread: a group commit is done, its replies can go.
      const uint64_t one = 1;
      (void)!::write(wake_fd_, &one, sizeof(one));
    });
  if (st.ok()) handler_->set_open_connections(context_.open_connections);
  const bool ok = st.ok();
  ready->set_value(std::move(st));  // `ready` is gone after this
  if (!ok) return;
  Run();
  handler_->Finish();
  counters_.Publish();
}

void EventLoop::Adopt(int fd) {
  {
    std::lock_guard lock(inbox_mutex_);
    inbox_.push_back(fd);
  }
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
}

void EventLoop::Stop() {
  stop_.store(true, std::memory_order_release);
  const uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof(one));
}

void EventLoop::Join() {
  if (thread_.joinable()) thread_.join();
}

std::vector<int> EventLoop::TakeInbox() {
  std::vector<int> fds;
  std::lock_guard lock(inbox_mutex_);
  fds.swap(inbox_);
  return fds;
}

void EventLoop::ConnectionClosed() {
  ++counters_.local.connections_closed;
  context_.open_connections->fetch_sub(1, std::memory_order_relaxed);
}

int64_t EventLoop::NowNs() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace logdaemon::ingest
