// Counts heap allocations, for tests of "no allocation per message" promises (DESIGN.md §3): replaces the
// global operator new and delete of the test binary that includes it, so exactly ONE source file per
// test binary may include this header. The count is only read around the calls under test.
//
// Under AddressSanitizer, whose own allocator a replaced operator new would bypass (and with it the
// checks for new/delete mismatches), the count comes from the sanitizer's allocation hook instead,
// which sees malloc as well as new: stricter, and the same tests run in both builds.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

#if defined(__SANITIZE_ADDRESS__)
// Declared here: compiler-rt's <sanitizer/allocator_interface.h> is not among GCC's headers, but its
// libasan exports the function.
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                             std::size_t),
                                                         void (*free_hook)(const volatile void*));

namespace {
void CountSanitizerAllocation(const volatile void*, std::size_t) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
}
void IgnoreSanitizerFree(const volatile void*) {}
// Installed before main(): the hook must be in place before the tests read the count.
const int g_hooks_installed =
    __sanitizer_install_malloc_and_free_hooks(CountSanitizerAllocation, IgnoreSanitizerFree);
}  // namespace
#else

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
