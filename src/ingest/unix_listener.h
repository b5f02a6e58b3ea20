// The daemon's listening Unix socket (DESIGN.md §2 and issue #5): a stale socket file (nobody accepts on
// it) is replaced, a live daemon's socket is never taken over, a path that is not a socket is never
// removed; the file gets --socket-mode and --socket-group; on shutdown it is removed only if it is
// still the one we bound (another daemon may have replaced it meanwhile). Or a socket bound by someone
// else (systemd's socket activation: ServerOptions::listen_fd), adopted as it is and never removed.
//
// Thread-safety: none needed; used by the server's control thread.
#pragma once

#include <sys/types.h>

#include <string>

#include "logdaemon/server.h"
#include "logdaemon/status.h"

namespace logdaemon::ingest {

class UnixListener {
 public:
  static Result<UnixListener> Bind(const ServerOptions& options);
  // Takes ownership of `fd`, which must be a listening Unix stream socket (InvalidArgument otherwise,
  // naming the descriptor; `fd` is closed then too), and makes it non-blocking, as the acceptor needs.
  static Result<UnixListener> Adopt(int fd);
  UnixListener(UnixListener&& other) noexcept;
  UnixListener& operator=(UnixListener&&) = delete;
  UnixListener(const UnixListener&) = delete;
  ~UnixListener();  // closes the socket and removes the file if it is still ours

  int fd() const { return fd_; }

 private:
  UnixListener(int fd, std::string path, dev_t dev, ino_t ino)
      : fd_(fd), path_(std::move(path)), dev_(dev), ino_(ino) {}
  int fd_ = -1;
  std::string path_;  // empty: adopted, not ours to remove
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

}  // namespace logdaemon::ingest
