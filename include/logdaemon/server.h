// logdaemon::LogServer: the daemon's socket side (DESIGN.md §1–3). It listens on a Unix socket, reads
// length-prefixed JSON frames on N event loops (io_uring or epoll), validates each log against the schema,
// hands it to a StorageEngine and answers every frame, in order, with "OK\n" or "ERROR: <reason>\n".
//
//   auto schema = logdaemon::SchemaValidator::DefaultSchema();
//   auto storage = logdaemon::StorageEngine::Open("logs", logdaemon::Compression::kSnappy, 1000, 100 << 20);
//   logdaemon::ServerOptions options;
//   options.socket_path = "/tmp/custom_log.sock";
//   logdaemon::LogServer server(options, *schema);
//   logdaemon::Status st = server.Run(**storage);  // until server.Shutdown() (from any thread)
//   (*storage)->Close();
//
// Thread-safety: Shutdown() and Stats() may be called from any thread (Shutdown also from a signal
// handler); Start/Wait/Run from one thread.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "logdaemon/schema.h"
#include "logdaemon/status.h"
#include "logdaemon/storage.h"

namespace logdaemon {

enum class IoBackend { kAuto, kUring, kEpoll };
Result<IoBackend> ParseIoBackend(std::string_view name);  // "auto", "uring", "epoll"
const char* IoBackendName(IoBackend backend);

struct ServerOptions {
  std::string socket_path = "/tmp/logdaemon.sock";
  // A listening Unix stream socket to accept on instead of binding socket_path (socket activation: systemd
  // bound it, with its own path, mode and group). The server takes ownership and closes it; it never
  // removes the socket's file. -1: bind socket_path.
  int listen_fd = -1;
  // Permission bits of the socket file, set after bind: who may connect (owner and group by default).
  uint32_t socket_mode = 0660;
  std::string socket_group;  // a group name or number to chown the socket to; empty: the daemon's group
  size_t max_connections = 1000;
  size_t max_message_bytes = size_t{1} << 20;
  std::chrono::milliseconds idle_timeout{300'000};
  size_t io_threads = 0;  // 0: one per core, as many as the ingest share holds (ResolveIoThreads)
  IoBackend io_backend = IoBackend::kAuto;
  // Replies a client has not read yet, per connection: above this the server stops reading from it until
  // it drains, so a client that never reads cannot make the server buffer without bound.
  size_t max_pending_reply_bytes = size_t{64} << 10;
  // The daemon's memory budget (DESIGN.md §3); ingest buffers get MemoryShares::Of(memory_limit).ingest.
  size_t memory_limit = size_t{64} << 20;
};

// How --memory-limit is divided between the parts of the daemon (DESIGN.md §3, docs/server.md), a quarter
// each: ingest (partial frames, replies beyond each connection's small allowance), the writer (encoded
// flush files: StorageOptions::writer_memory_bytes), compaction (StorageOptions::merge_memory_bytes), and
// the rest — the queue (at most --queue-capacity logs and about as many KiB), parsers, encoders'
// dictionaries, allocator slack.
struct MemoryShares {
  size_t ingest = 0;
  size_t writer = 0;
  size_t compaction = 0;
  size_t rest = 0;
  static MemoryShares Of(size_t memory_limit);
};
// The least ingest share with which every io thread can hold one frame of max_message_bytes (and its
// account's spare bytes), so a large frame always has room somewhere: io_threads × (max_message_bytes +
// 128 KiB).
size_t MinimumIngestMemory(size_t max_message_bytes, size_t io_threads);
// The io threads the server runs: options.io_threads when set; otherwise one per core (`cores`; 0:
// std::thread::hardware_concurrency()), but no more than the ingest share holds frames of
// max_message_bytes (MinimumIngestMemory), and at least one. With the defaults (64 MiB, 1 MiB frames)
// that is at most 14: a 32-core host starts with 14 loops instead of refusing to start.
size_t ResolveIoThreads(const ServerOptions& options, size_t cores = 0);
// InvalidArgument naming --memory-limit and what it needs when the ingest share is below that minimum
// for ResolveIoThreads(options) threads (only possible when io_threads is set, or for one thread).
Status CheckMemoryLimit(const ServerOptions& options);

// Why a frame was answered with ERROR (the `reason` label of logdaemon_logs_rejected_total).
enum class RejectReason : uint8_t {
  kInvalidJson,         // "invalid JSON: …"
  kInvalidUtf8,         // "invalid JSON: invalid UTF-8 at byte N"
  kNotObject,           // "not an object: …"
  kSchema,              // "schema: …"
  kUnstorable,          // valid, but the storage engine cannot store it (an integer beyond INT64)
  kEmptyFrame,          // length 0
  kFrameTooLarge,       // length > max_message_bytes (the connection is closed)
  kStorageUnavailable,  // "storage unavailable: …": the write-ahead log could not make it durable
  kTimeOutOfRange,  // "timestamp … outside the accepted window …" (StorageOptions::max_age, max_future)
};
inline constexpr size_t kRejectReasonCount = 9;
const char* RejectReasonLabel(RejectReason reason);  // "invalid_json", "invalid_utf8", …

// Counters since Start(), summed over the io threads when read (each thread owns its own).
struct ServerStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_active = 0;     // gauge
  uint64_t connections_refused = 0;    // beyond max_connections ("ERROR: too many connections")
  uint64_t connections_timed_out = 0;  // closed after idle_timeout
  uint64_t frames_received = 0;        // every frame answered (OK + rejected + dropped)
  uint64_t bytes_received = 0;         // socket bytes read
  uint64_t logs_accepted = 0;          // answered OK
  uint64_t logs_dropped = 0;           // answered "ERROR: overloaded" (--overflow drop)
  std::array<uint64_t, kRejectReasonCount> logs_rejected{};  // by RejectReason
  uint64_t reads_paused = 0;    // times a connection stopped being read (replies unread, or --overflow block)
  uint64_t reads_deferred = 0;  // times a connection waited for the ingest memory budget
  uint64_t memory_ingest_bytes = 0;        // gauge: the ingest budget in use (charged buffers, and spares)
  uint64_t memory_ingest_limit_bytes = 0;  // the ingest share of memory_limit
  uint64_t memory_limit_bytes = 0;         // --memory-limit
  uint64_t rejected_total() const;
};

class LogServer {
 public:
  LogServer(ServerOptions options, SchemaValidator validator);
  // The original spec's form: socket, validator, max connections, flush interval in seconds (the flush
  // interval belongs to the storage engine's options; accepted here for the spec's sake and ignored).
  LogServer(std::string socket_path, SchemaValidator validator, size_t max_connections,
            int flush_interval_seconds);
  ~LogServer();  // Shutdown() and Wait()
  LogServer(const LogServer&) = delete;
  LogServer& operator=(const LogServer&) = delete;

  // Binds the socket (a stale socket file nobody listens on is replaced; a live daemon's socket is never
  // taken over: Unavailable, naming the path), starts the io threads and returns once
  // clients can connect. `storage` must outlive Wait().
  Status Start(StorageEngine& storage);
  // Blocks until Shutdown(); then stops accepting, answers every frame already read, hands every accepted
  // log to the storage engine, closes the connections, removes the socket file and returns. The caller
  // closes the storage engine (which flushes: nothing acknowledged is lost).
  Status Wait();
  Status Run(StorageEngine& storage);  // Start + Wait

  // Asks the server to stop. Async-signal-safe; idempotent; honoured when called before Start() too
  // (Wait() then returns as soon as Start() has).
  void Shutdown();

  ServerStats Stats() const;
  IoBackend backend() const;  // the backend in use once started (kAuto resolved)
  const ServerOptions& options() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace logdaemon
