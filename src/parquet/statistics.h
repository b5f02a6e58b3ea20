// ColumnStatistics: min, max and null count of a page or a column chunk, in the column's sort order
// (signed for INT64, IEEE for DOUBLE with NaN left out, false < true, unsigned bytes for BYTE_ARRAY),
// turned into the format's Statistics with min_value / max_value (never the deprecated min / max).
//
// Long byte arrays are truncated to max_binary_length bytes: the minimum to a prefix (still ≤ every
// value), the maximum to a prefix whose last byte is incremented (still ≥ every value), on a UTF-8
// character boundary where the value is UTF-8, with is_min_value_exact / is_max_value_exact false.
//
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "parquet/format.h"

namespace logdaemon::parquet {

class ColumnStatistics {
 public:
  explicit ColumnStatistics(Type type, size_t max_binary_length = 64)
      : type_(type), max_binary_length_(max_binary_length) {}

  void Reset();
  void UpdateInt64(const int64_t* values, size_t n);
  void UpdateDouble(const double* values, size_t n);
  void UpdateBoolean(const uint8_t* values, size_t n);
  void UpdateByteArray(const uint8_t* bytes, const uint32_t* offsets, size_t n);
  void UpdateByteArrayValue(std::string_view value);
  void AddNulls(int64_t n) { null_count_ += n; }
  // Folds `other` (a page) into this (its chunk). REQUIRES: the same type.
  void Merge(const ColumnStatistics& other);

  bool has_min_max() const { return has_min_max_; }
  int64_t null_count() const { return null_count_; }
  Statistics ToThrift() const;

 private:
  Type type_;
  size_t max_binary_length_;
  bool has_min_max_ = false;
  int64_t null_count_ = 0;
  int64_t min_int_ = 0;
  int64_t max_int_ = 0;
  double min_double_ = 0;
  double max_double_ = 0;
  std::string min_bytes_;
  std::string max_bytes_;
};

// An INT64 column's min and max from its statistics, when both are there as 8-byte PLAIN values.
struct Int64MinMax {
  int64_t min = 0;
  int64_t max = 0;
};
std::optional<Int64MinMax> Int64MinMaxOf(const Statistics& statistics);

// Compares two plain-encoded statistics values of a column of `type`: <0, 0, >0.
int CompareStatValues(Type type, std::string_view a, std::string_view b);

// The truncation rules above, exposed for tests. TruncateMax returns false when no prefix can be
// incremented (all 0xFF): the value must then be kept whole.
std::string TruncateMin(std::string_view value, size_t max_length);
bool TruncateMax(std::string_view value, size_t max_length, std::string* out);

}  // namespace logdaemon::parquet
