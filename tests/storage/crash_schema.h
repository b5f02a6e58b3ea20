// The schema the crash test's writer and harness share (crash_writer.cc, crash_harness.cc): a unique,
// increasing `seq` per row (run * kRunStride + i), so that rows can be counted, found and de-duplicated.
#pragma once

#include <cstdint>
#include <string_view>

namespace logdaemon::storage::testing {

inline constexpr std::string_view kCrashSchema = R"json({
  "type": "object",
  "required": ["timestamp", "seq"],
  "properties": {
    "timestamp": {"type": "string", "format": "date-time"},
    "seq": {"type": "integer"},
    "message": {"type": "string"}
  }
})json";

// Each run writes seq in [run * kRunStride, run * kRunStride + rows).
inline constexpr int64_t kRunStride = 1'000'000'000;

}  // namespace logdaemon::storage::testing
