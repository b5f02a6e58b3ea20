#include "query/time_histogram.h"

namespace logdaemon::query {

TimeHistogram TimeHistogram::Shape() const {
  TimeHistogram shape;
  shape.origin_micros = origin_micros;
  shape.width_micros = width_micros;
  shape.buckets = buckets;
  return shape;
}

std::vector<uint64_t>& TimeHistogram::CountsOf(std::string_view key) {
  auto it = counts.find(key);
  if (it == counts.end()) it = counts.emplace(std::string(key), std::vector<uint64_t>(buckets, 0)).first;
  return it->second;
}

void TimeHistogram::Merge(const TimeHistogram& other) {
  for (const auto& [key, values] : other.counts) {
    std::vector<uint64_t>& into = CountsOf(key);
    for (size_t i = 0; i < values.size() && i < into.size(); ++i) into[i] += values[i];
  }
  if (!other.null_counts.empty()) {
    null_counts.resize(buckets, 0);
    for (size_t i = 0; i < other.null_counts.size() && i < buckets; ++i)
      null_counts[i] += other.null_counts[i];
  }
}

}  // namespace logdaemon::query
