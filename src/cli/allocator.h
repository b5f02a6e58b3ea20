// How the long-running commands (`serve`, `import`) set up glibc's malloc so that resident memory follows
// the memory budget (DESIGN.md §3, issue #13).
//
// Two defaults of glibc work against a bounded footprint in a program whose threads take turns with
// large buffers (flush files, merge columns, 100 KB logs):
//   - the mmap threshold is dynamic: once a large block is freed it rises to that size (up to 32 MiB), so
//     later large blocks come from the heap, and freed ones stay resident inside it; fixed at 1 MiB,
//     blocks that large are mapped and unmapped, and give their pages back when freed;
//   - every thread that allocates gets its own arena (up to 8 per core), each keeping its own free
//     memory; two arenas are enough, since no thread allocates per log on the hot path.
// Measured (tests/server/memory.py, 200 columns of 100 KB logs): peak RSS 121 -> 84 MiB; at full ingest
// of ordinary logs 66-71 -> 55-59 MiB, at the same rate.
#pragma once

#include <cstdint>

namespace logdaemon::cli {

// Idempotent; a no-op where the C library is not glibc.
void TuneAllocatorForBoundedMemory();

// What the heap holds, from glibc's mallinfo2 (every arena, and the blocks mapped on their own).
struct HeapStats {
  bool known = false;      // false where the C library is not glibc
  uint64_t allocated = 0;  // bytes in blocks the program holds (mapped blocks included)
  uint64_t free = 0;       // bytes free inside the arenas: resident or given back, reusable either way
};
HeapStats ReadHeapStats();

}  // namespace logdaemon::cli
