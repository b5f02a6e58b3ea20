// The engine's clocks: steady-clock nanoseconds (deadlines, backoff, latency) and wall-clock microseconds
// (UTC; retention, stand-in log times).
#pragma once

#include <cstdint>

namespace logdaemon::storage {

int64_t SteadyNanos();
int64_t WallMicros();

}  // namespace logdaemon::storage
