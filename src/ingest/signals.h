// Signals handled on a thread of their own, as ordinary code: the daemon's SIGTERM/SIGINT (shut down),
// SIGUSR1 (log the statistics) and SIGHUP run callbacks that may lock, allocate and log, which a signal
// handler may not.
//
// The signals must be blocked in every thread, so that the kernel keeps them pending for the process
// instead of interrupting (or, by their default action, killing) a random thread: call BlockSignals first
// thing in main, before any thread exists (threads inherit the mask). SignalThread then reads them from a
// signalfd.
//
//   ingest::BlockSignals({SIGTERM, SIGINT});          // before any other thread is started
//   auto signals = ingest::SignalThread::Start({SIGTERM, SIGINT}, [&](int) { server.Shutdown(); });
//
// Thread-safety: the handler runs on the signal thread, one signal at a time. Start and the destructor are
// called from one thread.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <vector>

#include "logdaemon/status.h"

namespace logdaemon::ingest {

// Blocks `signals` in the calling thread; threads it starts afterwards inherit the mask.
Status BlockSignals(std::initializer_list<int> signals);

class SignalThread {
 public:
  using Handler = std::function<void(int signal)>;

  // Starts a thread that calls `handler(signal)` for each signal of `signals` sent to the process
  // (kill(2), a terminal's Ctrl-C). Several instances of one signal sent before it is read count once, as
  // POSIX merges pending standard signals.
  // REQUIRES: every signal of `signals` is blocked in every thread (BlockSignals); InvalidArgument, naming
  // the signal, when one is not blocked in the calling thread.
  static Result<std::unique_ptr<SignalThread>> Start(std::vector<int> signals, Handler handler);

  // Stops and joins the thread (after the handler call in progress, if any). Signals that arrive later
  // stay pending, blocked.
  ~SignalThread();
  SignalThread(const SignalThread&) = delete;
  SignalThread& operator=(const SignalThread&) = delete;

 private:
  class Impl;
  explicit SignalThread(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace logdaemon::ingest
