// LogServer: the acceptor thread, the event loops, and the lifecycle of include/logdaemon/server.h.
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ingest/event_loop.h"
#include "ingest/memory_budget.h"
#include "ingest/unix_listener.h"
#include "logdaemon/server.h"

namespace logdaemon {

Result<IoBackend> ParseIoBackend(std::string_view name) {
  if (name == "auto") return IoBackend::kAuto;
  if (name == "uring" || name == "io_uring") return IoBackend::kUring;
  if (name == "epoll") return IoBackend::kEpoll;
  return Status::InvalidArgument("unknown I/O backend \"" + std::string(name) + "\" (auto, uring, epoll)");
}

const char* IoBackendName(IoBackend backend) {
  switch (backend) {
    case IoBackend::kAuto:
      return "auto";
    case IoBackend::kUring:
      return "uring";
    case IoBackend::kEpoll:
      return "epoll";
  }
  return "auto";
}

MemoryShares MemoryShares::Of(size_t memory_limit) {
  MemoryShares shares;
  shares.ingest = memory_limit / 4;
  shares.writer = memory_limit / 4;
  shares.compaction = memory_limit / 4;
  shares.rest = memory_limit - shares.ingest - shares.writer - shares.compaction;
  return shares;
}

size_t MinimumIngestMemory(size_t max_message_bytes, size_t io_threads) {
  return io_threads * (max_message_bytes + ingest::MemoryAccount::kMaxSpare);
}

namespace {

// "64 MiB", "32.5 MiB", "192 KiB": how the memory-limit message shows sizes.
std::string MiB(size_t bytes) {
  constexpr size_t kMiB = size_t{1} << 20;
  if (bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
  if (bytes < kMiB && bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / kMiB);
  return text;
}

}  // namespace

size_t ResolveIoThreads(const ServerOptions& options, size_t cores) {
  if (options.io_threads != 0) return options.io_threads;
  if (cores == 0) cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t fit =
      MemoryShares::Of(options.memory_limit).ingest / MinimumIngestMemory(options.max_message_bytes, 1);
  return std::clamp<size_t>(fit, 1, cores);
}

Status CheckMemoryLimit(const ServerOptions& options) {
  const size_t threads = ResolveIoThreads(options);
  const size_t share = MemoryShares::Of(options.memory_limit).ingest;
  const size_t minimum = MinimumIngestMemory(options.max_message_bytes, threads);
  if (share >= minimum) return Status::OK();
  return Status::InvalidArgument("memory-limit: " + MiB(options.memory_limit) + " gives ingest " +
                                 MiB(share) + " (a quarter), less than " + std::to_string(threads) +
                                 " io threads x (max-message-bytes " + MiB(options.max_message_bytes) +
                                 " + 128 KiB) = " + MiB(minimum) +
                                 ", so a large frame could find no room: raise memory-limit to at least " +
                                 MiB(4 * minimum) + ", or lower max-message-bytes or io-threads");
}

namespace {

constexpr std::string_view kTooManyConnections = "ERROR: too many connections\n";

// 1000 connections, the storage files and the metrics endpoint need more than the usual soft limit of
// 1024 descriptors: raise it to the hard limit (what any user may do).
void RaiseFileLimit() {
  rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

class LogServer::Impl {
 public:
  Impl(ServerOptions options, SchemaValidator validator)
      : options_(std::move(options)),
        validator_(std::move(validator)),
        ingest_budget_(MemoryShares::Of(options_.memory_limit).ingest) {
    stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  }

  ~Impl() {
    Shutdown();
    (void)Wait();
    if (stop_fd_ >= 0) ::close(stop_fd_);
    if (options_.listen_fd >= 0) ::close(options_.listen_fd);  // handed over, but never started
  }

  Status Start(StorageEngine& storage) {
    if (started_) return Status::InvalidArgument("the server was started already");
    if (stop_fd_ < 0) return Status::IOError("eventfd failed");
    if (options_.max_message_bytes == 0 || options_.max_message_bytes > UINT32_MAX) {
      return Status::InvalidArgument("max_message_bytes must be between 1 and 4294967295");
    }
    if (options_.max_connections == 0) return Status::InvalidArgument("max_connections must be at least 1");
    if (Status st = CheckMemoryLimit(options_); !st.ok()) return st;
    RaiseFileLimit();

    backend_ = options_.io_backend;
    if (backend_ == IoBackend::kAuto)
      backend_ = ingest::UringAvailable() ? IoBackend::kUring : IoBackend::kEpoll;
    else if (backend_ == IoBackend::kUring && !ingest::UringAvailable()) {
      return Status::NotSupported(
          "io_uring is not available on this system (kernel or seccomp policy); "
          "use --io-backend epoll or auto");
    }

    auto listener = options_.listen_fd >= 0 ? ingest::UnixListener::Adopt(options_.listen_fd)
                                            : ingest::UnixListener::Bind(options_);
    options_.listen_fd = -1;  // owned by the listener now (or closed), whatever happened
    if (!listener.ok()) return listener.status();

    ingest::LoopContext context;
    context.schema = &validator_;
    context.engine = &storage.engine();
    context.limits.max_frame_bytes = static_cast<uint32_t>(options_.max_message_bytes);
    context.limits.max_pending_reply_bytes = options_.max_pending_reply_bytes;
    context.limits.idle_timeout_ns = std::chrono::nanoseconds(options_.idle_timeout).count();
    context.open_connections = &open_connections_;
    context.memory_budget = &ingest_budget_;
    const size_t threads = ResolveIoThreads(options_);
    for (size_t i = 0; i < threads; ++i) {
      auto loop = ingest::EventLoop::Create(backend_, context);
      if (Status st = loop->Start(); !st.ok()) {
        loops_.clear();
        return st;
      }
      loops_.push_back(std::move(loop));
    }
    listener_.emplace(std::move(*listener));
    started_ = true;
    acceptor_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "ld-acceptor");
      Accept();
    });
    return Status::OK();
  }

  Status Wait() {
    if (!started_) return Status::OK();
    if (acceptor_.joinable()) acceptor_.join();
    // Not accepting any more: remove the socket file first, so clients fail fast instead of queueing.
    listener_.reset();
    for (auto& loop : loops_) loop->Stop();
    for (auto& loop : loops_) loop->Join();
    return Status::OK();
  }

  void Shutdown() {
    const uint64_t one = 1;
    if (stop_fd_ >= 0) (void)!::write(stop_fd_, &one, sizeof(one));
  }

  ServerStats Stats() const {
    ServerStats stats;
    for (const auto& loop : loops_) loop->counters().AddTo(&stats);
    stats.connections_refused = refused_.load(std::memory_order_relaxed);
    stats.memory_ingest_bytes = ingest_budget_.used();
    stats.memory_ingest_limit_bytes = ingest_budget_.limit();
    stats.memory_limit_bytes = options_.memory_limit;
    return stats;
  }

  IoBackend backend() const { return backend_; }
  const ServerOptions& options() const { return options_; }

 private:
  void Accept() {
    pollfd fds[2] = {{listener_->fd(), POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    size_t next = 0;
    for (;;) {
      if (::poll(fds, 2, -1) < 0 && errno != EINTR) break;
      if (fds[1].revents != 0) break;
      for (;;) {
        const int fd = ::accept4(listener_->fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
          if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            // Out of descriptors: the pending connection stays in the backlog; try again shortly rather
            // than spin on a listening socket that stays readable.
            ::poll(&fds[1], 1, 10);
          }
          break;
        }
        if (open_connections_.load(std::memory_order_relaxed) >= options_.max_connections) {
          // Counted first, so that a client that has read the refusal also sees it in the metrics.
          refused_.fetch_add(1, std::memory_order_relaxed);
          (void)::send(fd, kTooManyConnections.data(), kTooManyConnections.size(),
                       MSG_DONTWAIT | MSG_NOSIGNAL);
          ::close(fd);
          continue;
        }
        open_connections_.fetch_add(1, std::memory_order_relaxed);
        loops_[next]->Adopt(fd);
        next = (next + 1) % loops_.size();
      }
    }
  }

  ServerOptions options_;
  SchemaValidator validator_;
  // Shared by the loops; declared before them, so it outlives their accounts.
  ingest::MemoryBudget ingest_budget_;
  IoBackend backend_ = IoBackend::kEpoll;
  int stop_fd_ = -1;
  bool started_ = false;
  std::optional<ingest::UnixListener> listener_;
  std::vector<std::unique_ptr<ingest::EventLoop>> loops_;
  std::thread acceptor_;
  std::atomic<size_t> open_connections_{0};
  std::atomic<uint64_t> refused_{0};
};

LogServer::LogServer(ServerOptions options, SchemaValidator validator)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(validator))) {}

LogServer::LogServer(std::string socket_path, SchemaValidator validator, size_t max_connections,
                     int /*flush_interval_seconds*/)
    : impl_([&] {
        ServerOptions options;
        options.socket_path = std::move(socket_path);
        options.max_connections = max_connections;
        return std::make_unique<Impl>(std::move(options), std::move(validator));
      }()) {}

LogServer::~LogServer() = default;

Status LogServer::Start(StorageEngine& storage) {
  return impl_->Start(storage);
}
Status LogServer::Wait() {
  return impl_->Wait();
}
Status LogServer::Run(StorageEngine& storage) {
  if (Status st = impl_->Start(storage); !st.ok()) return st;
  return impl_->Wait();
}
void LogServer::Shutdown() {
  impl_->Shutdown();
}
ServerStats LogServer::Stats() const {
  return impl_->Stats();
}
IoBackend LogServer::backend() const {
  return impl_->backend();
}
const ServerOptions& LogServer::options() const {
  return impl_->options();
}

}  // namespace logdaemon
