// The volume histogram of `GET /api/v1/histogram`: which buckets a time range gets, and the answer's JSON.
// The counting itself happens inside the scan (query/time_histogram.h).
//
// Buckets have a "round" width — 1, 2, 5, 10, 15, 30 s; 1, 2, 5, 10, 15, 30 min; 1, 2, 3, 6, 12 h; 1, 2, 7,
// 30, 90 d; 1 y (doubling beyond) — the smallest that covers the range in at most the buckets asked for,
// and start at multiples of it since the Unix epoch (UTC).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "query/time_histogram.h"

namespace logdaemon::http {

// Buckets for [from, to) (µs; to > from), at most max_buckets (≥ 1) of them.
query::TimeHistogram PlanBuckets(int64_t from_micros, int64_t to_micros, size_t max_buckets);

// {"from","to" (ms since the epoch; `to` exclusive, rounded up),"bucket_ms","total","levels" (trace …
// fatal, then others by name, then "(none)" for logs without one),"times" (each bucket's start, ms),
// "counts" {level: [per bucket]}}.
std::string HistogramJson(int64_t from_micros, int64_t to_micros, const query::TimeHistogram& histogram);

}  // namespace logdaemon::http
