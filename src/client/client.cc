#include "logdaemon/client.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace logdaemon {
namespace {

constexpr std::string_view kOk = "OK";
constexpr std::string_view kErrorPrefix = "ERROR: ";
// Coalescing target for small frames: big enough that one send() carries hundreds of typical logs,
// small enough that the write buffer stays a few hundred KiB.
constexpr size_t kWriteChunk = 256 * 1024;
// The read buffer holds the longest legal partial line plus room for a large recv().
constexpr size_t kReadRoom = 64 * 1024;
constexpr size_t kReadBufferBytes = Client::kMaxReplyLineBytes + 1 + kReadRoom;

std::string ErrnoText(int err) {
  return std::strerror(err);
}

// A reply line as it can be shown in a message: at most 80 bytes, control and non-ASCII bytes escaped
// (the line is untrusted and may be binary).
std::string Printable(std::string_view line) {
  std::string out = "\"";
  const size_t n = std::min<size_t>(line.size(), 80);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  out.push_back('"');
  if (line.size() > n) {
    out.append("... (");
    out.append(std::to_string(line.size()));
    out.append(" bytes)");
  }
  return out;
}

std::string Progress(size_t received, size_t count) {
  std::string s = std::to_string(received);
  s.append(" of ");
  s.append(std::to_string(count));
  s.append(count == 1 ? " reply" : " replies");
  s.append(" received");
  return s;
}

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  if (ms.count() > 0) {
    tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  }
  return tv;
}

}  // namespace

Result<std::unique_ptr<Client>> Client::Connect(const std::string& socket_path,
                                                std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  if (socket_path.empty()) return Status::InvalidArgument("empty socket path");
  // sun_path needs room for the terminating NUL; a longer path would be silently truncated by the kernel.
  if (socket_path.size() >= sizeof(addr.sun_path)) {
    std::string msg = socket_path;
    msg.append(": socket path is too long (");
    msg.append(std::to_string(socket_path.size()));
    msg.append(" bytes; a Unix socket path holds at most ");
    msg.append(std::to_string(sizeof(addr.sun_path) - 1));
    msg.append(")");
    return Status::InvalidArgument(msg);
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());

  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IOError("socket(): " + ErrnoText(errno));
  // A blocking connect() on a Unix socket waits while the listen backlog is full, bounded by SO_SNDTIMEO
  // (a non-blocking one would fail at once with EAGAIN, with nothing to poll for).
  const timeval tv = ToTimeval(timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  int rc;
  do {
    rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    ::close(fd);
    std::string msg = socket_path;
    switch (err) {
      case ENOENT:
      case ENOTDIR:
        msg.append(": no such socket (is logdaemon serve running?)");
        return Status::NotFound(msg);
      case ECONNREFUSED: {
        // The kernel says "refused" both for a socket nobody listens on and for a file that is no socket.
        struct stat st {};
        if (::stat(socket_path.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode)) {
          msg.append(": not a socket");
          return Status::InvalidArgument(msg);
        }
        msg.append(": connection refused, nobody is listening (is logdaemon serve running?)");
        return Status::Unavailable(msg);
      }
      case EACCES:
      case EPERM:
        msg.append(
            ": permission denied (connecting needs write permission on the socket and search "
            "permission on its directories)");
        return Status::IOError(msg);
      case EAGAIN:
      case EINPROGRESS:
      case ETIMEDOUT:
        msg.append(": timed out after ");
        msg.append(std::to_string(timeout.count()));
        msg.append(" ms waiting for the server to accept the connection");
        return Status::Unavailable(msg);
      default:
        msg.append(": connect: ");
        msg.append(ErrnoText(err));
        return Status::IOError(msg);
    }
  }
  // From here on every wait goes through poll() with the reply timeout.
  const timeval zero{};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &zero, sizeof(zero));
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    const int err = errno;
    ::close(fd);
    return Status::IOError(socket_path + ": fcntl(O_NONBLOCK): " + ErrnoText(err));
  }
  return std::unique_ptr<Client>(new Client(fd, socket_path));
}

Client::Client(int fd, std::string socket_path) : fd_(fd), socket_path_(std::move(socket_path)) {}

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

Status Client::Fail(Status status) {
  // The stream is out of step with the server (a frame half written, a reply half read or not
  // understood): nothing sent on it afterwards could be matched with its reply.
  status = status.WithContext(socket_path_);
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  failure_ = status;
  return status;
}

void Client::AppendFrame(std::string_view log) {
  const auto n = static_cast<uint32_t>(log.size());
  const char header[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                          static_cast<char>(n)};
  wbuf_.append(header, sizeof(header));
  wbuf_.append(log);
}

template <typename OnReply>
Status Client::ParseReplies(size_t& received, size_t sent, const OnReply& on_reply) {
  while (rstart_ < rend_) {
    const char* begin = rbuf_.get() + rstart_;
    const size_t avail = rend_ - rstart_;
    const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', avail));
    if (nl == nullptr) {
      if (avail > kMaxReplyLineBytes) {
        std::string msg = "unexpected reply from the server: a line longer than ";
        msg.append(std::to_string(kMaxReplyLineBytes));
        msg.append(" bytes starting ");
        msg.append(Printable(std::string_view(begin, avail)));
        return Status::Corruption(msg);
      }
      break;  // a partial line: wait for the rest
    }
    const std::string_view line(begin, static_cast<size_t>(nl - begin));
    if (line.size() > kMaxReplyLineBytes) {
      std::string msg = "unexpected reply from the server: a line of ";
      msg.append(std::to_string(line.size()));
      msg.append(" bytes starting ");
      msg.append(Printable(line));
      return Status::Corruption(msg);
    }
    if (received == sent) {
      std::string msg = "unexpected reply from the server: a reply to no log: ";
      msg.append(Printable(line));
      return Status::Corruption(msg);
    }
    if (line == kOk) {
      reply_.ok = true;
      reply_.error.clear();
    } else if (line.starts_with(kErrorPrefix)) {
      reply_.ok = false;
      reply_.error.assign(line.substr(kErrorPrefix.size()));
    } else {
      std::string msg = "unexpected reply from the server: ";
      msg.append(Printable(line));
      return Status::Corruption(msg);
    }
    rstart_ += line.size() + 1;
    on_reply(received, static_cast<const Reply&>(reply_));
    ++received;
  }
  return Status::OK();
}

template <typename GetLog, typename OnReply>
Status Client::Pipeline(size_t count, const GetLog& get, size_t window, const OnReply& on_reply) {
  if (fd_ < 0) {
    std::string msg = "the connection is unusable after an earlier error (";
    msg.append(failure_.ToString());
    msg.append("); connect again");
    return Status::Unavailable(msg);
  }
  if (window == 0) return Status::InvalidArgument("window must be at least 1");
  // Checked before anything is sent, so a refused batch leaves the connection usable.
  for (size_t i = 0; i < count; ++i) {
    const size_t size = get(i).size();
    if (size > kMaxFrameBytes) {
      std::string msg = "log ";
      msg.append(std::to_string(i));
      msg.append(" is ");
      msg.append(std::to_string(size));
      msg.append(" bytes; a frame holds at most ");
      msg.append(std::to_string(kMaxFrameBytes));
      return Status::InvalidArgument(msg);
    }
  }
  if (!rbuf_) rbuf_ = std::make_unique_for_overwrite<char[]>(kReadBufferBytes);
  wbuf_.clear();
  wpos_ = 0;

  using Clock = std::chrono::steady_clock;
  const bool unlimited = reply_timeout_.count() <= 0;
  auto deadline = Clock::now() + reply_timeout_;
  size_t queued = 0;    // frames put into wbuf_
  size_t received = 0;  // replies handed to on_reply
  // The server stopped reading (EPIPE / ECONNRESET on write): collect the replies it still sends, then
  // report how far we got.
  bool write_closed = false;
  while (received < count) {
    // Queue more frames while the window allows and the write buffer is not already big.
    if (!write_closed) {
      if (wpos_ == wbuf_.size()) {
        wbuf_.clear();
        wpos_ = 0;
      } else if (wpos_ >= kWriteChunk) {
        wbuf_.erase(0, wpos_);
        wpos_ = 0;
      }
      while (queued < count && queued - received < window && wbuf_.size() - wpos_ < kWriteChunk) {
        AppendFrame(get(queued));
        ++queued;
      }
    }
    const bool want_write = !write_closed && wpos_ < wbuf_.size();
    const bool want_read = received < queued || write_closed;
    pollfd pfd{fd_, static_cast<short>((want_read ? POLLIN : 0) | (want_write ? POLLOUT : 0)), 0};
    int timeout_ms = -1;
    if (!unlimited) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
      timeout_ms = static_cast<int>(std::max<int64_t>(0, std::min<int64_t>(left, INT32_MAX)));
    }
    const int ready = ::poll(&pfd, 1, timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return Fail(Status::IOError("poll: " + ErrnoText(errno)));
    }
    if (ready == 0) {
      std::string msg = "no reply from the server for ";
      msg.append(std::to_string(reply_timeout_.count()));
      msg.append(" ms (");
      msg.append(Progress(received, count));
      msg.append(")");
      return Fail(Status::IOError(msg));
    }
    bool progress = false;
    if (want_write && (pfd.revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t n = ::send(fd_, wbuf_.data() + wpos_, wbuf_.size() - wpos_, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        wpos_ += static_cast<size_t>(n);
        progress = true;
      } else if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
        write_closed = true;
        progress = true;
      } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return Fail(Status::IOError("send: " + ErrnoText(errno) + " (" + Progress(received, count) + ")"));
      }
    }
    if (want_read && (pfd.revents & (POLLIN | POLLERR | POLLHUP))) {
      if (rstart_ == rend_) {
        rstart_ = rend_ = 0;
      } else if (kReadBufferBytes - rend_ < kReadRoom) {
        // Only a partial line (at most kMaxReplyLineBytes) is left: move it to the front.
        std::memmove(rbuf_.get(), rbuf_.get() + rstart_, rend_ - rstart_);
        rend_ -= rstart_;
        rstart_ = 0;
      }
      const ssize_t n = ::recv(fd_, rbuf_.get() + rend_, kReadBufferBytes - rend_, MSG_DONTWAIT);
      if (n > 0) {
        rend_ += static_cast<size_t>(n);
        progress = true;
        Status s = ParseReplies(received, queued, on_reply);
        if (!s.ok()) return Fail(std::move(s));
      } else if (n == 0 || errno == ECONNRESET || errno == EPIPE) {
        std::string msg = "the server closed the connection (";
        msg.append(Progress(received, count));
        if (rend_ > rstart_) msg.append(", then half a reply line");
        msg.append(")");
        return Fail(Status::IOError(msg));
      } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return Fail(Status::IOError("recv: " + ErrnoText(errno) + " (" + Progress(received, count) + ")"));
      }
    }
    if (progress && !unlimited) deadline = Clock::now() + reply_timeout_;
  }
  return Status::OK();
}

Result<Reply> Client::Send(std::string_view json) {
  Status s = Pipeline(
      1, [json](size_t) { return json; }, 1, [](size_t, const Reply&) {});
  if (!s.ok()) return s;
  // Pipeline returns OK only once the one reply arrived, so reply_ holds it.
  return reply_;
}

Status Client::SendAll(std::span<const std::string_view> logs, size_t window, const ReplyCallback& on_reply) {
  return Pipeline(
      logs.size(), [logs](size_t i) { return logs[i]; }, window,
      [&on_reply](size_t i, const Reply& r) {
        if (on_reply) on_reply(i, r);
      });
}

Status Client::SendAll(std::span<const std::string> logs, size_t window, const ReplyCallback& on_reply) {
  return Pipeline(
      logs.size(), [logs](size_t i) { return std::string_view(logs[i]); }, window,
      [&on_reply](size_t i, const Reply& r) {
        if (on_reply) on_reply(i, r);
      });
}

}  // namespace logdaemon
