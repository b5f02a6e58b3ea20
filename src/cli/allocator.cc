#include "cli/allocator.h"

#include <cstdlib>  // defines __GLIBC__ on glibc (through <features.h>), tested below

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace logdaemon::cli {

void TuneAllocatorForBoundedMemory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  mallopt(M_ARENA_MAX, 2);
#endif
}

HeapStats ReadHeapStats() {
  HeapStats stats;
#if defined(__GLIBC__)
  const struct mallinfo2 info = mallinfo2();
  stats.known = true;
  stats.allocated = info.uordblks + info.hblkhd;
  stats.free = info.fordblks;
#endif
  return stats;
}

}  // namespace logdaemon::cli
