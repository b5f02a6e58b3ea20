// TimeHistogram: matching logs counted per time bucket and per value of one column (the level), inside
// the scan (query/scan.h, ScanRequest::histogram) — the HTTP API's volume histogram on millions of logs
// without handing each row to a callback. Buckets are fixed before the scan: `buckets` of `width_micros`
// from `origin_micros`; rows outside them are not counted.
//
// Thread-safety: none; each scanning thread fills its own, merged in storage order.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace logdaemon::query {

struct TimeHistogram {
  int64_t origin_micros = 0;
  int64_t width_micros = 1'000'000;  // > 0
  size_t buckets = 0;
  // By the key column's value; rows whose key is null are counted under `null_counts`.
  std::map<std::string, std::vector<uint64_t>, std::less<>> counts;
  std::vector<uint64_t> null_counts;

  // An empty histogram of the same buckets.
  TimeHistogram Shape() const;
  // The bucket of `time_micros`, or -1 outside the buckets.
  int64_t BucketOf(int64_t time_micros) const {
    if (time_micros < origin_micros) return -1;
    const int64_t bucket = (time_micros - origin_micros) / width_micros;
    return bucket < static_cast<int64_t>(buckets) ? bucket : -1;
  }
  // The counts of `key` (created on first use).
  std::vector<uint64_t>& CountsOf(std::string_view key);
  void Merge(const TimeHistogram& other);
};

}  // namespace logdaemon::query
