#include "ingest/unix_listener.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

namespace logdaemon::ingest {

namespace {

constexpr int kBacklog = 4096;

std::string Errno(std::string_view what, const std::string& path) {
  std::string message(what);
  message.append(" ");
  message.append(path);
  message.append(": ");
  message.append(std::strerror(errno));
  return message;
}

Result<sockaddr_un> Address(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty()) return Status::InvalidArgument("the socket path is empty");
  if (path.size() >= sizeof(address.sun_path)) {
    return Status::InvalidArgument("socket path " + path + " is too long (" + std::to_string(path.size()) +
                                   " bytes; a Unix socket path has at most " +
                                   std::to_string(sizeof(address.sun_path) - 1) + ")");
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

// Whether a daemon accepts connections on the socket file at `path`.
bool SomeoneListens(const sockaddr_un& address) {
  const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return false;
  const bool live = ::connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0 ||
                    errno == EAGAIN;  // backlog full: someone is there
  ::close(probe);
  return live;
}

Result<gid_t> LookUpGroup(const std::string& group) {
  gid_t gid = 0;
  auto [end, ec] = std::from_chars(group.data(), group.data() + group.size(), gid);
  if (ec == std::errc() && end == group.data() + group.size()) return gid;
  // getgrnam_r says ERANGE until the buffer holds the whole entry (large groups list many members).
  std::vector<char> buffer(16384);
  struct group entry;
  struct group* found = nullptr;
  int rc;
  while ((rc = ::getgrnam_r(group.c_str(), &entry, buffer.data(), buffer.size(), &found)) == ERANGE &&
         buffer.size() < (size_t{1} << 24)) {
    buffer.resize(buffer.size() * 2);
  }
  if (found == nullptr) {
    return Status::InvalidArgument("--socket-group: no group named " + group +
                                   (rc != 0 ? std::string(" (") + std::strerror(rc) + ")" : std::string()));
  }
  return found->gr_gid;
}

}  // namespace

Result<UnixListener> UnixListener::Bind(const ServerOptions& options) {
  const std::string& path = options.socket_path;
  auto address = Address(path);
  if (!address.ok()) return address.status();
  gid_t gid = static_cast<gid_t>(-1);
  if (!options.socket_group.empty()) {
    auto group = LookUpGroup(options.socket_group);
    if (!group.ok()) return group.status();
    gid = *group;
  }

  struct stat existing;
  if (::lstat(path.c_str(), &existing) == 0) {
    if (!S_ISSOCK(existing.st_mode)) {
      return Status::Unavailable(path + " exists and is not a socket; refusing to replace it");
    }
    if (SomeoneListens(*address)) {
      return Status::Unavailable("another daemon is listening on " + path +
                                 "; stop it first or choose another --socket");
    }
    // A stale socket file left by a daemon that did not shut down cleanly.
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::IOError(Errno("cannot remove the stale socket", path));
    }
  }

  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IOError(Errno("socket() for", path));
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&*address), sizeof(*address)) != 0) {
    Status st = Status::IOError(Errno("cannot bind", path));
    if (errno == EADDRINUSE) {
      st = Status::Unavailable("another daemon took " + path + " while this one was starting");
    }
    ::close(fd);
    return st;
  }
  struct stat bound;
  auto fail = [&](Status st) -> Result<UnixListener> {
    ::unlink(path.c_str());
    ::close(fd);
    return st;
  };
  if (::stat(path.c_str(), &bound) != 0) return fail(Status::IOError(Errno("cannot stat", path)));
  if (::chmod(path.c_str(), options.socket_mode) != 0) {
    return fail(Status::IOError(Errno("--socket-mode: cannot chmod", path)));
  }
  if (gid != static_cast<gid_t>(-1) && ::chown(path.c_str(), static_cast<uid_t>(-1), gid) != 0) {
    return fail(Status::IOError(Errno("--socket-group: cannot chown", path)));
  }
  if (::listen(fd, kBacklog) != 0) return fail(Status::IOError(Errno("cannot listen on", path)));
  return UnixListener(fd, path, bound.st_dev, bound.st_ino);
}

Result<UnixListener> UnixListener::Adopt(int fd) {
  int domain = 0;
  int type = 0;
  int listening = 0;
  socklen_t length = sizeof(int);
  const bool is_listening_unix_stream =
      ::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) == 0 && domain == AF_UNIX &&
      (length = sizeof(int), ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0) &&
      type == SOCK_STREAM &&
      (length = sizeof(int), ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0) &&
      listening != 0;
  if (!is_listening_unix_stream) {
    if (fd >= 0) ::close(fd);
    return Status::InvalidArgument("descriptor " + std::to_string(fd) +
                                   " is not a listening Unix stream socket");
  }
  // The acceptor drains the backlog until accept4 says EAGAIN: a blocking socket would hang it there.
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 || ::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
    Status st = Status::IOError(std::string("descriptor ") + std::to_string(fd) +
                                ": cannot make it non-blocking: " + std::strerror(errno));
    ::close(fd);
    return st;
  }
  return UnixListener(fd, std::string(), 0, 0);
}

UnixListener::UnixListener(UnixListener&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)), dev_(other.dev_), ino_(other.ino_) {
  other.fd_ = -1;
}

UnixListener::~UnixListener() {
  if (fd_ < 0) return;
  struct stat now;
  if (!path_.empty() && ::lstat(path_.c_str(), &now) == 0 && now.st_dev == dev_ && now.st_ino == ino_)
    ::unlink(path_.c_str());
  ::close(fd_);
}

}  // namespace logdaemon::ingest
