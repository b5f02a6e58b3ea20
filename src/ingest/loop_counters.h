// LoopCounters: what one event loop has done, for ServerStats. The loop's thread counts in plain fields
// (no atomic per message) and publishes them once per loop turn into relaxed atomics, which Stats()
// reads from any thread and sums over the loops (DESIGN.md §3: counters are per thread, summed when read).
//
// Thread-safety: `local` belongs to the loop's thread; Publish() from that thread; Read() from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "logdaemon/server.h"

namespace logdaemon::ingest {

struct CounterValues {
  uint64_t connections_accepted = 0;
  uint64_t connections_closed = 0;
  uint64_t connections_timed_out = 0;
  uint64_t frames_received = 0;
  uint64_t bytes_received = 0;
  uint64_t logs_accepted = 0;
  uint64_t logs_dropped = 0;
  std::array<uint64_t, kRejectReasonCount> logs_rejected{};
  uint64_t reads_paused = 0;
  uint64_t reads_deferred = 0;
};

class LoopCounters {
 public:
  CounterValues local;

  void Publish() {
    Store(connections_accepted_, local.connections_accepted);
    Store(connections_closed_, local.connections_closed);
    Store(connections_timed_out_, local.connections_timed_out);
    Store(frames_received_, local.frames_received);
    Store(bytes_received_, local.bytes_received);
    Store(logs_accepted_, local.logs_accepted);
    Store(logs_dropped_, local.logs_dropped);
    for (size_t i = 0; i < kRejectReasonCount; ++i) Store(logs_rejected_[i], local.logs_rejected[i]);
    Store(reads_paused_, local.reads_paused);
    Store(reads_deferred_, local.reads_deferred);
  }

  // Adds the published values to `stats` (connections_active is the accepted minus the closed).
  void AddTo(ServerStats* stats) const {
    const uint64_t accepted = Load(connections_accepted_);
    const uint64_t closed = Load(connections_closed_);
    stats->connections_accepted += accepted;
    stats->connections_active += accepted >= closed ? accepted - closed : 0;
    stats->connections_timed_out += Load(connections_timed_out_);
    stats->frames_received += Load(frames_received_);
    stats->bytes_received += Load(bytes_received_);
    stats->logs_accepted += Load(logs_accepted_);
    stats->logs_dropped += Load(logs_dropped_);
    for (size_t i = 0; i < kRejectReasonCount; ++i) stats->logs_rejected[i] += Load(logs_rejected_[i]);
    stats->reads_paused += Load(reads_paused_);
    stats->reads_deferred += Load(reads_deferred_);
  }

 private:
  static void Store(std::atomic<uint64_t>& a, uint64_t v) { a.store(v, std::memory_order_relaxed); }
  static uint64_t Load(const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); }

  std::atomic<uint64_t> connections_accepted_{0};
  std::atomic<uint64_t> connections_closed_{0};
  std::atomic<uint64_t> connections_timed_out_{0};
  std::atomic<uint64_t> frames_received_{0};
  std::atomic<uint64_t> bytes_received_{0};
  std::atomic<uint64_t> logs_accepted_{0};
  std::atomic<uint64_t> logs_dropped_{0};
  std::array<std::atomic<uint64_t>, kRejectReasonCount> logs_rejected_{};
  std::atomic<uint64_t> reads_paused_{0};
  std::atomic<uint64_t> reads_deferred_{0};
};

}  // namespace logdaemon::ingest
