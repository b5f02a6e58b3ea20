// MemoryBudget: one byte budget shared by every io thread (DESIGN.md §2–3, docs/server.md "Memory under
// hostile clients"). What ingest buffers beyond each connection's small fixed allowance — partial frames,
// pending replies — is charged to it; a connection that cannot get what its next frame needs stops being
// read until the budget frees, so the bytes wait in the kernel, charged to their sender.
//
// MemoryAccount: one io thread's window on the budget. Its buffers charge and refund the account, which
// takes bytes from the shared budget a chunk at a time and keeps at most kMaxSpare of them in hand, so
// the shared atomic is touched about once per chunk of growth, never per message; an account with
// nothing charged keeps nothing in hand (an idle daemon's budget use reads 0).
//
// Thread-safety: MemoryBudget is safe from any thread (atomics). A MemoryAccount belongs to one thread.
#pragma once

#include <atomic>
#include <cstddef>

namespace logdaemon::ingest {

class MemoryBudget {
 public:
  explicit MemoryBudget(size_t limit) : limit_(limit) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Takes `bytes` if the use stays within the limit; all or nothing.
  bool TryAcquire(size_t bytes);
  // Takes `bytes` even past the limit: for memory that exists already and cannot be refused (then
  // TryAcquire fails until enough is released).
  void Acquire(size_t bytes) { used_.fetch_add(bytes, std::memory_order_relaxed); }
  // REQUIRES: `bytes` were acquired and not yet released.
  void Release(size_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  size_t used() const { return used_.load(std::memory_order_relaxed); }
  size_t limit() const { return limit_; }

 private:
  const size_t limit_;
  std::atomic<size_t> used_{0};
};

class MemoryAccount {
 public:
  // The unit in which the account takes bytes from the budget, and how many it may keep unused.
  static constexpr size_t kChunk = size_t{64} << 10;
  static constexpr size_t kMaxSpare = 2 * kChunk;

  // `budget` nullptr: unlimited (every charge succeeds), for tests and tools without a budget.
  explicit MemoryAccount(MemoryBudget* budget) : budget_(budget) {}
  // Returns what it still holds to the budget. REQUIRES: every charge was refunded (the buffers that
  // charged it are gone).
  ~MemoryAccount();
  MemoryAccount(const MemoryAccount&) = delete;
  MemoryAccount& operator=(const MemoryAccount&) = delete;

  // Charges `bytes` if the budget has them; false (and nothing charged) otherwise.
  bool TryCharge(size_t bytes);
  // Charges `bytes` even past the budget's limit (memory that exists already).
  void ForceCharge(size_t bytes);
  // REQUIRES: bytes <= charged().
  void Refund(size_t bytes);

  // What this thread's buffers hold, and what the account took from the budget for them (>= charged()).
  size_t charged() const { return charged_; }
  size_t held() const { return held_; }

  // What one busy connection of this thread reads at once (FrameDecoder): kMaxBusyRead while the
  // thread's busy connections read at most kBusyReadBytes together, halved (down to kMinBusyRead) as
  // more of them are busy. One busy connection reads as much as ever; a hundred do not hold 64 KiB each
  // (6.4 MiB, the largest of ingest's buffers at full load). It grows back only once the next size up
  // would use at most half of kBusyReadBytes, so that a count near a boundary does not resize buffers
  // back and forth.
  static constexpr size_t kMaxBusyRead = size_t{64} << 10;
  static constexpr size_t kMinBusyRead = size_t{16} << 10;
  static constexpr size_t kBusyReadBytes = size_t{1} << 20;
  size_t busy_read() const { return busy_read_; }
  // A connection of this thread became busy (+1) or quiet (-1).
  void BusyReaders(int delta);
  size_t busy_readers() const { return busy_readers_; }

 private:
  // Gives back what is in hand beyond kMaxSpare (everything when nothing is charged).
  void ReturnSpare();

  MemoryBudget* budget_;
  size_t charged_ = 0;
  size_t held_ = 0;
  size_t busy_readers_ = 0;
  size_t busy_read_ = kMaxBusyRead;
};

}  // namespace logdaemon::ingest
