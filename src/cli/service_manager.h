// The daemon's side of systemd (DESIGN.md §8, libsystemd), in one place: the listening sockets systemd
// passes (socket activation, sd_listen_fds) and the state it is told (sd_notify: READY=1, STOPPING=1,
// STATUS= with the stats line, WATCHDOG=1 when the unit sets WatchdogSec=).
//
// Outside systemd (no LISTEN_FDS, no NOTIFY_SOCKET) nothing here does anything: the daemon binds its own
// sockets and notifications go nowhere, so a plain `logdaemon serve` is unchanged.
//
// Thread-safety: TakeActivatedSockets once, before any thread is started (it unsets LISTEN_* in the
// environment). A ServiceNotifier's methods may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "logdaemon/status.h"

namespace logdaemon::cli {

// The listening sockets systemd passed, by kind: the Unix socket of the wire protocol (any AF_UNIX stream
// socket) and the HTTP front door's (any TCP socket). -1: not passed, bind it yourself. The descriptors
// are the caller's to hand over (LogServer, HttpServer) or close.
struct ActivatedSockets {
  int unix_fd = -1;
  int http_fd = -1;
  // "Unix socket /run/logdaemon/logdaemon.sock (fd 3), HTTP socket 127.0.0.1:9100 (fd 4)"; empty when
  // nothing was passed.
  std::string description;
};

// Reads LISTEN_FDS / LISTEN_PID / LISTEN_FDNAMES (and unsets them, so that no child inherits them).
// InvalidArgument when systemd passed something logdaemon cannot use, naming the descriptor: a socket
// that is neither a listening Unix stream socket nor a listening TCP socket, or two of one kind (every
// passed descriptor is closed then).
Result<ActivatedSockets> TakeActivatedSockets();

// Tells systemd how the daemon is doing, when it runs as a Type=notify service. A watchdog thread sends
// WATCHDOG=1 at half the unit's WatchdogSec= for as long as `alive()` answers (it calls into the server
// and the storage engine, so a daemon that is stuck stops being fed, and systemd restarts it), and
// refreshes STATUS= with `status()` every kStatusInterval.
class ServiceNotifier {
 public:
  static constexpr std::chrono::seconds kStatusInterval{10};

  // `status` gives the STATUS= text; `alive` returns false when the daemon is not working any more (then
  // the watchdog goes unfed). Both run on the notifier's thread; they must not call back into it.
  ServiceNotifier(std::function<std::string()> status, std::function<bool()> alive);
  ~ServiceNotifier();  // stops the thread
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;

  // Whether systemd listens (NOTIFY_SOCKET is set).
  bool enabled() const;
  // Half of WatchdogSec= when the unit has it (and it is meant for this process), else zero.
  std::chrono::microseconds watchdog_interval() const;

  void Ready(std::string_view status);     // READY=1 and STATUS=; starts the watchdog / status thread
  void Status(std::string_view status);    // STATUS=
  void Stopping(std::string_view status);  // STOPPING=1 and STATUS=

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace logdaemon::cli
