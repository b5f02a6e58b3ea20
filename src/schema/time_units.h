// Time units of the stored time column: INT64 microseconds since the Unix epoch (TIMESTAMP(MICROS), the
// schema's `date-time` columns), for every module that does arithmetic on those values.
#pragma once

#include <cstdint>

namespace logdaemon {

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
inline constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
inline constexpr int64_t kSecondsPerDay = 86'400;
inline constexpr int64_t kMicrosPerDay = kSecondsPerDay * kMicrosPerSecond;

}  // namespace logdaemon
