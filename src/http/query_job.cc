#include "http/query_job.h"

#include <microhttpd.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>

namespace logdaemon::http {

QueryJob::QueryJob(MHD_Connection* connection, int socket, size_t stream_limit_bytes)
    : connection_(connection),
      socket_(socket),
      stream_limit_bytes_(stream_limit_bytes),
      last_append_(std::chrono::steady_clock::now()),
      stop_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

QueryJob::~QueryJob() {
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void QueryJob::SuspendConnection() {
  std::lock_guard lock(mutex_);
  if (connection_ == nullptr || response_ || stream_ended_ || cancelled()) return;
  suspended_ = true;
  MHD_suspend_connection(connection_);
}

void QueryJob::ResumeLocked() {
  if (suspended_ && connection_ != nullptr) {
    suspended_ = false;
    MHD_resume_connection(connection_);
  }
}

std::optional<Response> QueryJob::TakeResponse() {
  std::lock_guard lock(mutex_);
  std::optional<Response> response = std::move(response_);
  response_.reset();
  return response;
}

long QueryJob::Read(char* buffer, size_t max) {
  std::lock_guard lock(mutex_);
  if (cancelled()) return -2;
  const size_t available = pending_.size() - pending_start_;
  if (available > 0) {
    const size_t n = std::min(available, max);
    std::memcpy(buffer, pending_.data() + pending_start_, n);
    pending_start_ += n;
    if (pending_start_ == pending_.size()) {
      pending_.clear();
      pending_start_ = 0;
    }
    drained_.notify_all();
    return static_cast<long>(n);
  }
  if (stream_ended_) return -1;
  if (connection_ != nullptr) {
    suspended_ = true;
    MHD_suspend_connection(connection_);
  }
  return 0;
}

bool QueryJob::watched() const {
  std::lock_guard lock(mutex_);
  return !detached_ && !finished_ && !stream_ended_;
}

void QueryJob::Detach() {
  {
    std::lock_guard lock(mutex_);
    detached_ = true;
    connection_ = nullptr;
    suspended_ = false;
  }
  Cancel();
}

void QueryJob::Finish(Response response) {
  std::lock_guard lock(mutex_);
  finished_ = true;
  response_ = std::move(response);
  ResumeLocked();
}

bool QueryJob::Append(std::string_view bytes) {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [&] { return cancelled() || pending_.size() - pending_start_ < stream_limit_bytes_; });
  if (cancelled()) return false;
  pending_.append(bytes);
  last_append_ = std::chrono::steady_clock::now();
  ResumeLocked();
  return true;
}

void QueryJob::EndStream() {
  std::lock_guard lock(mutex_);
  stream_ended_ = true;
  ResumeLocked();
}

void QueryJob::MarkStreaming() {
  std::lock_guard lock(mutex_);
  streaming_ = true;
}

void QueryJob::KeepAlive() {
  std::lock_guard lock(mutex_);
  if (!streaming_ || stream_ended_ || cancelled() || pending_.size() > pending_start_) return;
  pending_.append(": keep-alive\n\n");
  last_append_ = std::chrono::steady_clock::now();
  ResumeLocked();
}

void QueryJob::Cancel() {
  std::lock_guard lock(mutex_);
  if (cancelled_.exchange(true)) return;
  const uint64_t one = 1;
  if (stop_fd_ >= 0) (void)!::write(stop_fd_, &one, sizeof one);
  drained_.notify_all();
  // A suspended connection is resumed so that libmicrohttpd ends it (the content callback answers -2).
  ResumeLocked();
}

std::chrono::steady_clock::time_point QueryJob::last_append() const {
  std::lock_guard lock(mutex_);
  return last_append_;
}

}  // namespace logdaemon::http
