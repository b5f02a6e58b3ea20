// Prometheus text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/):
// builds the body of a /metrics response from values the caller has already summed. Each family's
// # HELP and # TYPE lines are written once, before its first sample; label values are escaped (\\, \",
// \n); names are checked against [a-zA-Z_:][a-zA-Z0-9_:]* (a bad name is a programming error: assert).
//
// Thread-safety: none; build one per scrape.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

namespace logdaemon::metrics {

using Label = std::pair<std::string_view, std::string_view>;

class TextExposition {
 public:
  void Counter(std::string_view name, std::string_view help, double value,
               std::initializer_list<Label> labels = {});
  void Gauge(std::string_view name, std::string_view help, double value,
             std::initializer_list<Label> labels = {});
  // `bucket_counts[i]` counts observations <= upper_bounds[i] and above the previous bound (not
  // cumulative); it has upper_bounds.size() + 1 entries, the last for +Inf. Writes the cumulative
  // name_bucket{le="…"} lines, name_sum and name_count.
  void Histogram(std::string_view name, std::string_view help, std::span<const double> upper_bounds,
                 std::span<const uint64_t> bucket_counts, double sum);

  const std::string& text() const { return text_; }
  std::string Take() { return std::move(text_); }

 private:
  void Family(std::string_view name, std::string_view help, std::string_view type);
  std::string text_;
  std::string last_family_;
  std::string last_type_;
  std::unordered_set<std::string> written_families_;  // to catch a family split by another (assert)
};

}  // namespace logdaemon::metrics
