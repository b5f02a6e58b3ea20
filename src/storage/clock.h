// The engine's clocks: steady-clock nanoseconds (deadlines, backoff, latency) and wall-clock microseconds
// (UTC; retention, stand-in log times), precise or coarse.
#pragma once

#include <cstdint>
#include <ctime>

namespace logdaemon::storage {

inline int64_t ClockNanos(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline int64_t SteadyNanos() {
  return ClockNanos(CLOCK_MONOTONIC);
}
inline int64_t WallMicros() {
  return ClockNanos(CLOCK_REALTIME) / 1000;
}

// Coarse clocks (a few ms of resolution, no syscall), for the per-log path: arrival times only drive
// flush deadlines, and the wall clock only stands in for logs without a time field.
inline int64_t CoarseSteadyNanos() {
  return ClockNanos(CLOCK_MONOTONIC_COARSE);
}
inline int64_t CoarseWallMicros() {
  return ClockNanos(CLOCK_REALTIME_COARSE) / 1000;
}

}  // namespace logdaemon::storage
