#include "http/histogram.h"

#include <algorithm>
#include <array>

#include "query/output_json.h"  // AppendJsonString

namespace logdaemon::http {

namespace {

constexpr int64_t kSecond = 1'000'000;
// Coarser resolutions, each a multiple of the one before.
constexpr std::array<int64_t, 6> kResolutions = {kSecond,       10 * kSecond,   60 * kSecond,
                                                 600 * kSecond, 3600 * kSecond, 86400 * kSecond};
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

int SeverityRank(std::string_view level) {
  static constexpr std::string_view kOrder[] = {"trace", "debug", "info", "warn", "error", "fatal"};
  for (int i = 0; i < 6; ++i)
    if (kOrder[i] == level) return i;
  return 6;
}

}  // namespace

size_t VolumeHistogram::LevelIndex(std::string_view level, bool has_level) {
  const std::string_view name = has_level ? level : std::string_view("(none)");
  if (last_level_index_ != SIZE_MAX && name == last_level_) return last_level_index_;
  size_t index = 0;
  while (index < levels_.size() && levels_[index] != name) ++index;
  if (index == levels_.size()) {
    if (levels_.size() >= kMaxLevels) {
      auto other = std::find(levels_.begin(), levels_.end(), "other");
      if (other != levels_.end()) return static_cast<size_t>(other - levels_.begin());
      levels_.back() = "other";  // the last slot becomes "other" (its counts stay: they are other levels)
      return levels_.size() - 1;
    }
    levels_.emplace_back(name);
  }
  last_level_.assign(name);
  last_level_index_ = index;
  return index;
}

void VolumeHistogram::Add(int64_t time_micros, std::string_view level, bool has_level) {
  const size_t index = LevelIndex(level, has_level);
  const int64_t key = FloorTo(time_micros, resolution_);
  if (key != last_key_ || last_cell_ == nullptr) {
    last_cell_ = &cells_[key];
    last_key_ = key;
  }
  if (last_cell_->size() <= index) last_cell_->resize(index + 1);
  ++(*last_cell_)[index];
  min_time_ = std::min(min_time_, time_micros);
  max_time_ = std::max(max_time_, time_micros);
  ++total_;
  if (cells_.size() > kMaxCells) Coarsen();
}

void VolumeHistogram::Coarsen() {
  while (cells_.size() > kMaxCells) {
    auto next = std::upper_bound(kResolutions.begin(), kResolutions.end(), resolution_);
    resolution_ = next != kResolutions.end() ? *next : resolution_ * 10;
    std::map<int64_t, std::vector<uint64_t>> coarse;
    for (auto& [key, counts] : cells_) {
      std::vector<uint64_t>& into = coarse[FloorTo(key, resolution_)];
      if (into.size() < counts.size()) into.resize(counts.size());
      for (size_t i = 0; i < counts.size(); ++i) into[i] += counts[i];
    }
    cells_.swap(coarse);
  }
  last_cell_ = nullptr;
  last_key_ = INT64_MIN;
}

std::string VolumeHistogram::Finish(std::optional<int64_t> since_micros, std::optional<int64_t> until_micros,
                                    size_t max_buckets) const {
  int64_t from = since_micros ? *since_micros : (total_ > 0 ? min_time_ : 0);
  int64_t to = until_micros ? *until_micros : (total_ > 0 ? max_time_ + 1 : from + kSecond);
  if (to <= from) to = from + 1;
  max_buckets = std::max<size_t>(max_buckets, 1);
  // The smallest round width, a multiple of the resolution, that covers the range in max_buckets (the
  // first bucket starts at a multiple of the width, up to one width before `from`).
  int64_t width = 0;
  for (int64_t candidate : kWidths) {
    if (candidate % resolution_ != 0) continue;
    const int64_t start = FloorTo(from, candidate);
    if ((to - start + candidate - 1) / candidate <= static_cast<int64_t>(max_buckets)) {
      width = candidate;
      break;
    }
  }
  if (width == 0) {  // wider than a year a bucket
    width = std::max<int64_t>(kWidths.back(), resolution_);
    while ((to - FloorTo(from, width) + width - 1) / width > static_cast<int64_t>(max_buckets)) width *= 2;
  }
  const int64_t start = FloorTo(from, width);
  const size_t buckets = static_cast<size_t>((to - start + width - 1) / width);

  std::vector<size_t> order(levels_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const int ra = SeverityRank(levels_[a]), rb = SeverityRank(levels_[b]);
    return ra != rb ? ra < rb : levels_[a] < levels_[b];
  });
  std::vector<std::vector<uint64_t>> counts(levels_.size(), std::vector<uint64_t>(buckets, 0));
  for (const auto& [key, cell] : cells_) {
    if (key < start) continue;
    const size_t bucket = static_cast<size_t>((key - start) / width);
    if (bucket >= buckets) continue;
    for (size_t i = 0; i < cell.size(); ++i) counts[i][bucket] += cell[i];
  }

  std::string out = "{\"from\":" + std::to_string(FloorTo(from, 1000) / 1000) +
                    ",\"to\":" + std::to_string(-FloorTo(-to, 1000) / 1000) +  // exclusive: rounded up
                    ",\"bucket_ms\":" + std::to_string(width / 1000) +
                    ",\"total\":" + std::to_string(total_) + ",\"levels\":[";
  for (size_t i = 0; i < order.size(); ++i) {
    if (i != 0) out += ',';
    query::AppendJsonString(levels_[order[i]], &out);
  }
  out += "],\"times\":[";
  for (size_t b = 0; b < buckets; ++b) {
    if (b != 0) out += ',';
    out += std::to_string((start + static_cast<int64_t>(b) * width) / 1000);
  }
  out += "],\"counts\":{";
  for (size_t i = 0; i < order.size(); ++i) {
    if (i != 0) out += ',';
    query::AppendJsonString(levels_[order[i]], &out);
    out += ":[";
    for (size_t b = 0; b < buckets; ++b) {
      if (b != 0) out += ',';
      out += std::to_string(counts[order[i]][b]);
    }
    out += ']';
  }
  out += "}}";
  return out;
}

}  // namespace logdaemon::http
