// QueryJob: one query API request between libmicrohttpd and the thread that runs it (query_runner.h).
//
// libmicrohttpd's threads also serve ingest, so they never run a query: the access handler suspends the
// connection and hands the job to a query thread; that thread either sets the whole answer
// (query, histogram, fields: Finish) or, for the tail, streams Server-Sent Events into the job (Append),
// and resumes the connection whenever there is something to send. libmicrohttpd's content callback
// takes the bytes (Read), suspending the connection again when there are none yet.
//
// Cancellation: a suspended connection is not watched by libmicrohttpd, so the runner's watcher polls each
// job's socket; a peer that hung up (or the server stopping, or the response being freed) sets cancelled(),
// which the scan checks between batches of row groups and which wakes the tail's follower (stop_fd).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "http/endpoints.h"

struct MHD_Connection;

namespace logdaemon::http {

class QueryJob {
 public:
  // `socket` is the connection's descriptor (polled for a hang-up); `stream_limit_bytes` bounds the bytes
  // a tail holds for a slow reader (Append then waits).
  QueryJob(MHD_Connection* connection, int socket, size_t stream_limit_bytes);
  ~QueryJob();
  QueryJob(const QueryJob&) = delete;
  QueryJob& operator=(const QueryJob&) = delete;

  // --- libmicrohttpd's side (its threads) ---
  // Suspends the connection until the job has something: call from the access handler after handing the
  // job to a thread (the job's lock makes a Finish that comes first wait for the suspension).
  void SuspendConnection();
  // The whole answer, once Finish was called (the access handler queues it).
  std::optional<Response> TakeResponse();
  // The content callback: copies at most `max` pending bytes; 0 with the connection suspended when none
  // is pending yet; -1 at the end of the stream (sent everything, finished) and -2 when cancelled.
  long Read(char* buffer, size_t max);
  // The connection has gone (its request completed, or its response was freed): never touch it again.
  void Detach();

  // --- the query thread's side ---
  void Finish(Response response);
  // Appends stream bytes, waiting while more than the limit is pending; false once cancelled.
  bool Append(std::string_view bytes);
  // The stream ends (after the pending bytes are sent).
  void EndStream();
  // The answer is a stream (the tail): from now on the watcher may add keep-alive comments.
  void MarkStreaming();
  // A Server-Sent Events comment line, when nothing is pending (never waits).
  void KeepAlive();
  // Readable once cancelled: the tail's follower polls it.
  int stop_fd() const { return stop_fd_; }

  // --- anyone's ---
  void Cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
  const std::atomic<bool>* cancel_flag() const { return &cancelled_; }
  int socket() const { return socket_; }
  // Whether the socket is still worth polling: not detached, and the answer not complete yet (once it
  // is, libmicrohttpd may close the descriptor, and its number may be reused).
  bool watched() const;
  // For the watcher's keep-alive comments: when bytes were last appended.
  std::chrono::steady_clock::time_point last_append() const;

 private:
  void ResumeLocked();

  mutable std::mutex mutex_;
  std::condition_variable drained_;
  MHD_Connection* connection_;  // null once detached
  const int socket_;
  const size_t stream_limit_bytes_;
  bool suspended_ = false;
  std::optional<Response> response_;
  std::string pending_;
  size_t pending_start_ = 0;  // bytes of pending_ already read
  bool stream_ended_ = false;
  bool finished_ = false;
  bool detached_ = false;
  bool streaming_ = false;
  std::chrono::steady_clock::time_point last_append_;
  std::atomic<bool> cancelled_{false};
  int stop_fd_ = -1;  // an eventfd
};

}  // namespace logdaemon::http
