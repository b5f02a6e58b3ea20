// Counts heap allocations, for tests of "no allocation per message" promises (DESIGN.md §3): replaces the
// global operator new and delete of the test binary that includes it, so exactly ONE source file per
// test binary may include this header. The count is only read around the calls under test.
//
// Not in the AddressSanitizer build, whose own allocator the replacement would fight: there
// LOGDAEMON_COUNT_ALLOCATIONS is not defined, and tests that read g_allocations skip themselves.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

#if !defined(__SANITIZE_ADDRESS__)
#define LOGDAEMON_COUNT_ALLOCATIONS 1
namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// GCC inlines these where it sees the built-in operator new's pointer and warns about free() on it;
// the operator new above does allocate with malloc, so the pairing is right.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop
#endif
