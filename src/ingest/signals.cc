#include "ingest/signals.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <utility>

namespace logdaemon::ingest {

namespace {

std::string ErrnoMessage(const char* what, int error) {
  std::string out(what);
  out += ": ";
  out += std::strerror(error);
  return out;
}

std::string SignalName(int signal) {
  const char* name = sigabbrev_np(signal);
  std::string out = "signal ";
  out += name != nullptr ? std::string("SIG").append(name) : std::to_string(signal);
  return out;
}

}  // namespace

Status BlockSignals(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int signal : signals) {
    if (sigaddset(&set, signal) != 0) return Status::InvalidArgument(SignalName(signal) + ": not a signal");
  }
  int error = pthread_sigmask(SIG_BLOCK, &set, nullptr);
  if (error != 0) return Status::InvalidArgument(ErrnoMessage("pthread_sigmask", error));
  return Status::OK();
}

// The thread waits in poll(2) on two descriptors: the signalfd, and an eventfd that the destructor writes
// to stop it (so stopping needs no signal of its own and cannot race with a real one).
class SignalThread::Impl {
 public:
  Impl(int signal_fd, int stop_fd, Handler handler)
      : signal_fd_(signal_fd), stop_fd_(stop_fd), handler_(std::move(handler)) {}

  ~Impl() {
    uint64_t one = 1;
    // An eventfd write of 1 cannot fail short of a counter overflow; the thread only needs it readable.
    while (::write(stop_fd_, &one, sizeof(one)) < 0 && errno == EINTR) {
    }
    if (thread_.joinable()) thread_.join();
    ::close(signal_fd_);
    ::close(stop_fd_);
  }

  void Run() {
    thread_ = std::thread([this] { Loop(); });
  }

 private:
  void Loop() {
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    for (;;) {
      fds[0].revents = fds[1].revents = 0;
      int ready = ::poll(fds, 2, -1);
      if (ready < 0) {
        if (errno == EINTR) continue;
        return;  // EFAULT/EINVAL/ENOMEM: nothing sensible left to wait on
      }
      if (fds[1].revents != 0) return;
      if (fds[0].revents == 0) continue;
      signalfd_siginfo info;
      ssize_t n = ::read(signal_fd_, &info, sizeof(info));
      if (n == static_cast<ssize_t>(sizeof(info))) {
        handler_(static_cast<int>(info.ssi_signo));
      } else if (n < 0 && errno != EINTR && errno != EAGAIN) {
        return;
      }
    }
  }

  const int signal_fd_;
  const int stop_fd_;
  const Handler handler_;
  std::thread thread_;
};

Result<std::unique_ptr<SignalThread>> SignalThread::Start(std::vector<int> signals, Handler handler) {
  sigset_t set;
  sigemptyset(&set);
  sigset_t blocked;
  pthread_sigmask(SIG_BLOCK, nullptr, &blocked);
  for (int signal : signals) {
    if (sigaddset(&set, signal) != 0) return Status::InvalidArgument(SignalName(signal) + ": not a signal");
    // An unblocked signal would go to whichever thread the kernel picks, not to the signalfd.
    if (sigismember(&blocked, signal) != 1) {
      return Status::InvalidArgument(SignalName(signal) + " is not blocked (call BlockSignals first)");
    }
  }
  int signal_fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd < 0) return Status::IOError(ErrnoMessage("signalfd", errno));
  int stop_fd = ::eventfd(0, EFD_CLOEXEC);
  if (stop_fd < 0) {
    int error = errno;
    ::close(signal_fd);
    return Status::IOError(ErrnoMessage("eventfd", error));
  }
  auto impl = std::make_unique<Impl>(signal_fd, stop_fd, std::move(handler));
  impl->Run();
  return std::unique_ptr<SignalThread>(new SignalThread(std::move(impl)));
}

SignalThread::SignalThread(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SignalThread::~SignalThread() = default;

}  // namespace logdaemon::ingest
