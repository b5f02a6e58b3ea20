// The instants a user types after `--since` and `--until` (docs/query.md "Times"): an RFC 3339 date-time
// with any UTC offset, a date (midnight UTC), a duration before now, or `now`. All become UTC microseconds
// since the Unix epoch, the unit of the stored time column.
//
//   2026-01-15T19:00:00Z, 2026-01-15T21:00:00.5+02:00, 2026-01-15 19:00:00Z  date-time (RFC 3339 §5.6)
//   2026-01-15                                                               00:00:00 UTC of that day
//   30s 15m 2h 7d 2w 1h30m                                                   now minus that (m = minutes)
//   now                                                                      now
//
// Durations are one or more <digits><unit> pairs, units s, m, h, d (24 h) and w (7 d); no months or
// years (their length varies: give a date). A date-time needs its offset ("Z" or "+hh:mm"): without one
// the instant is ambiguous, and the error says so.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "logdaemon/status.h"

namespace logdaemon::query {

// The instant `text` names, relative ones counted back from `now_micros`. Errors are InvalidArgument with
// a message that quotes the text and says what is accepted, without the option's name: the caller adds it
// (`status.WithContext("--since")` gives `--since: "15x" is not a time: use RFC 3339 …`). Overflowing
// durations ("999999999999d") and instants outside the int64 range are errors, never wrapped.
Result<int64_t> ParseTimeSpec(std::string_view text, int64_t now_micros);

}  // namespace logdaemon::query
