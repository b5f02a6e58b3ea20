#include "http/histogram.h"

#include <algorithm>
#include <array>
#include <vector>

#include "query/output_json.h"  // AppendJsonString

namespace logdaemon::http {

namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr std::array<int64_t, 23> kWidths = {
    kSecond,           2 * kSecond,       5 * kSecond,       10 * kSecond,     15 * kSecond,
    30 * kSecond,      60 * kSecond,      120 * kSecond,     300 * kSecond,    600 * kSecond,
    900 * kSecond,     1800 * kSecond,    3600 * kSecond,    7200 * kSecond,   10800 * kSecond,
    21600 * kSecond,   43200 * kSecond,   86400 * kSecond,   172800 * kSecond, 604800 * kSecond,
    2592000 * kSecond, 7776000 * kSecond, 31536000 * kSecond};

int64_t FloorTo(int64_t value, int64_t step) {
  int64_t q = value / step;
  if (value % step != 0 && value < 0) --q;
  return q * step;
}

int64_t BucketsFor(int64_t from, int64_t to, int64_t width) {
  const int64_t start = FloorTo(from, width);
  return (to - start + width - 1) / width;
}

int SeverityRank(std::string_view level) {
  static constexpr std::string_view kOrder[] = {"trace", "debug", "info", "warn", "error", "fatal"};
  for (int i = 0; i < 6; ++i)
    if (kOrder[i] == level) return i;
  return 6;
}

void AppendCounts(const std::vector<uint64_t>& counts, size_t buckets, std::string* out) {
  out->push_back('[');
  for (size_t b = 0; b < buckets; ++b) {
    if (b != 0) out->push_back(',');
    out->append(std::to_string(b < counts.size() ? counts[b] : 0));
  }
  out->push_back(']');
}

}  // namespace

query::TimeHistogram PlanBuckets(int64_t from_micros, int64_t to_micros, size_t max_buckets) {
  const int64_t most = static_cast<int64_t>(std::max<size_t>(max_buckets, 1));
  int64_t width = 0;
  for (int64_t candidate : kWidths) {
    if (BucketsFor(from_micros, to_micros, candidate) <= most) {
      width = candidate;
      break;
    }
  }
  if (width == 0) {
    width = kWidths.back();
    while (BucketsFor(from_micros, to_micros, width) > most) width *= 2;
  }
  query::TimeHistogram histogram;
  histogram.origin_micros = FloorTo(from_micros, width);
  histogram.width_micros = width;
  histogram.buckets = static_cast<size_t>(BucketsFor(from_micros, to_micros, width));
  return histogram;
}

std::string HistogramJson(int64_t from_micros, int64_t to_micros, const query::TimeHistogram& histogram) {
  // A timestamp key (a table without a level column counts by the time itself) reads as "": no level.
  std::vector<std::string_view> levels;
  uint64_t total = 0;
  for (const auto& [level, counts] : histogram.counts) {
    if (!level.empty()) levels.push_back(level);
    for (uint64_t n : counts) total += n;
  }
  for (uint64_t n : histogram.null_counts) total += n;
  std::sort(levels.begin(), levels.end(), [](std::string_view a, std::string_view b) {
    const int ra = SeverityRank(a), rb = SeverityRank(b);
    return ra != rb ? ra < rb : a < b;
  });
  std::vector<uint64_t> none = histogram.null_counts;
  if (auto empty = histogram.counts.find(std::string_view()); empty != histogram.counts.end()) {
    none.resize(histogram.buckets, 0);
    for (size_t b = 0; b < empty->second.size() && b < none.size(); ++b) none[b] += empty->second[b];
  }

  std::string out = "{\"from\":" + std::to_string(FloorTo(from_micros, 1000) / 1000) +
                    ",\"to\":" + std::to_string(-FloorTo(-to_micros, 1000) / 1000) +
                    ",\"bucket_ms\":" + std::to_string(histogram.width_micros / 1000) +
                    ",\"total\":" + std::to_string(total) + ",\"levels\":[";
  for (size_t i = 0; i < levels.size(); ++i) {
    if (i != 0) out += ',';
    query::AppendJsonString(levels[i], &out);
  }
  if (!none.empty()) out += levels.empty() ? "\"(none)\"" : ",\"(none)\"";
  out += "],\"times\":[";
  for (size_t b = 0; b < histogram.buckets; ++b) {
    if (b != 0) out += ',';
    out +=
        std::to_string((histogram.origin_micros + static_cast<int64_t>(b) * histogram.width_micros) / 1000);
  }
  out += "],\"counts\":{";
  for (size_t i = 0; i < levels.size(); ++i) {
    if (i != 0) out += ',';
    query::AppendJsonString(levels[i], &out);
    out += ':';
    AppendCounts(histogram.counts.find(levels[i])->second, histogram.buckets, &out);
  }
  if (!none.empty()) {
    out += levels.empty() ? "\"(none)\":" : ",\"(none)\":";
    AppendCounts(none, histogram.buckets, &out);
  }
  out += "}}";
  return out;
}

}  // namespace logdaemon::http
