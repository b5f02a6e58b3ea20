// VolumeHistogram: the counts behind `GET /api/v1/histogram` — matching logs per time bucket and level.
//
// The bucket width is known only once the time range is (a query without since/until spans its data), so
// rows are first counted at a fine resolution (1 s), coarsened (10 s, 1 min, 10 min, 1 h, 1 d …) whenever
// more than kMaxCells distinct instants are held: memory stays bounded whatever the data. Finish then picks
// the smallest "round" width (1, 2, 5, 10, 15, 30 s; 1, 2, 5, 10, 15, 30 min; 1, 2, 3, 6, 12 h; 1, 2, 7 d
// …) that is a multiple of that resolution and gives at most the buckets asked for; buckets start at
// multiples of the width since the Unix epoch (UTC).
//
// Thread-safety: none; one per query.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logdaemon::http {

class VolumeHistogram {
 public:
  static constexpr size_t kMaxCells = 50000;
  static constexpr size_t kMaxLevels = 32;  // distinct level values; more are counted as "other"

  // `level` is the row's level (empty view with has_level false: null).
  void Add(int64_t time_micros, std::string_view level, bool has_level);

  // {"from":µs…} JSON: from/to (ms since the epoch; `to` exclusive, rounded up), bucket_ms, levels (by severity: trace … fatal, then
  // others by name), times (each bucket's start, ms), counts {level: [per bucket]}, total. The range is
  // [since, until) where given, else the data's.
  std::string Finish(std::optional<int64_t> since_micros, std::optional<int64_t> until_micros,
                     size_t max_buckets) const;

  uint64_t total() const { return total_; }

 private:
  void Coarsen();
  size_t LevelIndex(std::string_view level, bool has_level);

  int64_t resolution_ = 1'000'000;                  // µs per cell
  std::map<int64_t, std::vector<uint64_t>> cells_;  // cell start (µs) → count per level index
  int64_t last_key_ = INT64_MIN;
  std::vector<uint64_t>* last_cell_ = nullptr;
  std::vector<std::string> levels_;
  std::string last_level_;
  size_t last_level_index_ = SIZE_MAX;
  int64_t min_time_ = INT64_MAX, max_time_ = INT64_MIN;
  uint64_t total_ = 0;
};

}  // namespace logdaemon::http
