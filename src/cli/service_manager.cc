#include "cli/service_manager.h"

#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "http/listen_address.h"

namespace logdaemon::cli {

namespace {

// The path of a Unix socket ("@name" for an abstract one), for messages.
std::string UnixPath(int fd) {
  sockaddr_un address{};
  socklen_t length = sizeof(address);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "?";
  const size_t header = offsetof(sockaddr_un, sun_path);
  const size_t size = length > header ? length - header : 0;
  if (size == 0) return "(unnamed)";
  if (address.sun_path[0] == '\0')
    return fmt::format("@{}", std::string_view(address.sun_path + 1, size - 1));
  return std::string(address.sun_path, strnlen(address.sun_path, size));
}

// "fd 3", or "fd 3 (name)" when systemd named it (FileDescriptorName=; the unit's name by default).
std::string NameOf(int fd, char** names, int index) {
  // Without LISTEN_FDNAMES, libsystemd names every descriptor "unknown": no name.
  if (names != nullptr && names[index] != nullptr && names[index][0] != '\0' &&
      std::strcmp(names[index], "unknown") != 0) {
    return fmt::format("fd {} ({})", fd, names[index]);
  }
  return fmt::format("fd {}", fd);
}

void AddDescription(std::string* description, const std::string& part) {
  if (!description->empty()) *description += ", ";
  *description += part;
}

void CloseAll(int count) {
  for (int i = 0; i < count; ++i) ::close(SD_LISTEN_FDS_START + i);
}

}  // namespace

Result<ActivatedSockets> TakeActivatedSockets() {
  char** names = nullptr;
  const int count = sd_listen_fds_with_names(/*unset_environment=*/1, &names);
  if (count < 0) {
    return Status::InvalidArgument(std::string("socket activation: LISTEN_FDS: ") + std::strerror(-count));
  }
  ActivatedSockets sockets;
  Status refused;
  for (int i = 0; i < count && refused.ok(); ++i) {
    const int fd = SD_LISTEN_FDS_START + i;
    const std::string name = NameOf(fd, names, i);
    if (sd_is_socket(fd, AF_UNIX, SOCK_STREAM, /*listening=*/1) > 0) {
      if (sockets.unix_fd >= 0) {
        refused = Status::InvalidArgument("socket activation: " + name +
                                          " is a second Unix socket; logdaemon listens on one");
        break;
      }
      sockets.unix_fd = fd;
      AddDescription(&sockets.description, fmt::format("Unix socket {} ({})", UnixPath(fd), name));
    } else if (sd_is_socket(fd, AF_INET, SOCK_STREAM, 1) > 0 ||
               sd_is_socket(fd, AF_INET6, SOCK_STREAM, 1) > 0) {
      if (sockets.http_fd >= 0) {
        refused = Status::InvalidArgument("socket activation: " + name +
                                          " is a second TCP socket; the HTTP front door listens on one");
        break;
      }
      Result<http::ListenAddress> address = http::AdoptListener(fd);
      if (!address.ok()) {
        refused = Status::InvalidArgument("socket activation: " + name + ": " + address.status().message());
        break;
      }
      sockets.http_fd = fd;
      AddDescription(&sockets.description,
                     fmt::format("HTTP socket {} ({})", http::DescribeAddress(*address), name));
    } else {
      refused = Status::InvalidArgument(
          "socket activation: " + name +
          " is neither a listening Unix stream socket nor a listening TCP socket (ListenStream= in the "
          ".socket unit)");
    }
  }
  if (names != nullptr) {
    for (int i = 0; i < count; ++i) std::free(names[i]);
    std::free(names);
  }
  if (!refused.ok()) {
    CloseAll(count);
    return refused;
  }
  return sockets;
}

// ---------------------------------------------------------------------------------------------------

class ServiceNotifier::Impl {
 public:
  Impl(std::function<std::string()> status, std::function<bool()> alive)
      : status_(std::move(status)), alive_(std::move(alive)) {
    const char* socket = std::getenv("NOTIFY_SOCKET");
    enabled_ = socket != nullptr && socket[0] != '\0';
    uint64_t usec = 0;
    // > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID is this process (or absent).
    if (enabled_ && sd_watchdog_enabled(/*unset_environment=*/0, &usec) > 0 && usec > 0) {
      // Never a busy loop, whatever WatchdogSec= says: at most a ping per millisecond.
      watchdog_interval_ = std::max(std::chrono::microseconds(usec / 2), std::chrono::microseconds(1000));
    }
  }

  ~Impl() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  bool enabled() const { return enabled_; }
  std::chrono::microseconds watchdog_interval() const { return watchdog_interval_; }

  void Notify(std::string_view state, std::string_view status) {
    if (!enabled_) return;
    std::string message(state);
    if (!status.empty()) {
      if (!message.empty()) message.push_back('\n');
      // One line: a newline would end the STATUS= assignment early.
      std::string line(status);
      for (char& c : line) c = (c == '\n') ? ' ' : c;
      message.append("STATUS=").append(line);
    }
    (void)sd_notify(/*unset_environment=*/0, message.c_str());
  }

  void StartThread() {
    if (!enabled_ || thread_.joinable()) return;
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "ld-systemd");
      Run();
    });
  }

 private:
  // Feeds the watchdog (when there is one) and refreshes STATUS=, until the destructor.
  void Run() {
    using Clock = std::chrono::steady_clock;
    const auto period = watchdog_interval_.count() > 0
                            ? std::min<Clock::duration>(watchdog_interval_, kStatusInterval)
                            : Clock::duration(kStatusInterval);
    Clock::time_point next_status = Clock::now() + kStatusInterval;
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
      lock.unlock();
      if (watchdog_interval_.count() > 0 && alive_()) Notify("WATCHDOG=1", "");
      if (Clock::now() >= next_status) {
        Notify("", status_());
        next_status = Clock::now() + kStatusInterval;
      }
      lock.lock();
    }
  }

  std::function<std::string()> status_;
  std::function<bool()> alive_;
  bool enabled_ = false;
  std::chrono::microseconds watchdog_interval_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

ServiceNotifier::ServiceNotifier(std::function<std::string()> status, std::function<bool()> alive)
    : impl_(std::make_unique<Impl>(std::move(status), std::move(alive))) {}
ServiceNotifier::~ServiceNotifier() = default;

bool ServiceNotifier::enabled() const {
  return impl_->enabled();
}
std::chrono::microseconds ServiceNotifier::watchdog_interval() const {
  return impl_->watchdog_interval();
}
void ServiceNotifier::Ready(std::string_view status) {
  impl_->Notify("READY=1", status);
  impl_->StartThread();
}
void ServiceNotifier::Status(std::string_view status) {
  impl_->Notify("", status);
}
void ServiceNotifier::Stopping(std::string_view status) {
  impl_->Notify("STOPPING=1", status);
}

}  // namespace logdaemon::cli
