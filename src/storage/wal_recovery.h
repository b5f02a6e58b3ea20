// Write-ahead log recovery (DESIGN.md §5 invariant 2): at start-up, before any new log is admitted, every
// record that no visible Parquet file holds is handed back to be stored — once — and the segments whose
// records are all stored are trimmed.
//
//   1. Every segment of wal/ is read: its header, then its records up to the clean end or a torn tail
//      (cut there, counted and reported: those records' group commit never completed, so none of them was
//      acknowledged). A segment whose header is unreadable was never used (its header is made durable
//      before any record in it is acknowledged); it is set aside as <name>.corrupt and reported.
//   2. Only when some segment holds records: the coverage of every visible file is read (`coverage`).
//   3. Records not covered that were written under another schema stop the start-up with a message that
//      says what to do; nothing is replayed then.
//   4. The others are passed to `replay`, stream by stream in LSN order, one segment in memory at a time.
//
// Thread-safety: run by Engine::Open alone.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "logdaemon/status.h"
#include "storage/wal.h"
#include "storage/wal_coverage.h"

namespace logdaemon::storage {

struct WalRecoveryStats {
  uint64_t segments = 0;
  uint64_t records = 0;       // readable records in every segment
  uint64_t covered = 0;       // of those, already in visible files
  uint64_t replayed = 0;      // handed to `replay`
  uint64_t torn_tails = 0;    // segments cut short (or set aside)
  uint64_t segments_cut = 0;  // of those, cut short (the others were set aside)
};

struct WalRecoveryCallbacks {
  // The union of the coverage of every visible file (called at most once, only if a record exists).
  std::function<Result<WalCoverage>()> coverage;
  // One record to store again.
  std::function<Status(uint32_t stream, uint64_t lsn, std::string_view payload)> replay;
  // A line for the daemon's log (torn tails, set-aside segments, what was replayed).
  std::function<void(const std::string&)> report;
};

// Registers every segment in `dir` (and the next LSN of each stream), replays what is not stored, and
// trims what is. `dir`'s schema is the current one.
Status RecoverWal(WalDirectory* dir, const WalRecoveryCallbacks& callbacks, WalRecoveryStats* stats);

}  // namespace logdaemon::storage
