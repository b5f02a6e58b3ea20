#include "parquet/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace logdaemon::parquet {

namespace {

template <typename T>
std::string Bytes(T value) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &value, sizeof(T));
  return out;
}

int CompareBytes(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

// Where a prefix of at most max_length bytes may end without splitting a UTF-8 sequence.
size_t Utf8Boundary(std::string_view value, size_t max_length) {
  size_t end = max_length;
  // Step back over continuation bytes (10xxxxxx), at most 3, to the start of a character.
  size_t steps = 0;
  while (end > 0 && steps < 4 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) {
    --end;
    ++steps;
  }
  // Not UTF-8 after all, or nothing left: cut at the byte limit.
  if (end == 0 || steps == 4) return max_length;
  return end;
}

}  // namespace

std::string TruncateMin(std::string_view value, size_t max_length) {
  if (value.size() <= max_length) return std::string(value);
  return std::string(value.substr(0, Utf8Boundary(value, max_length)));
}

bool TruncateMax(std::string_view value, size_t max_length, std::string* out) {
  if (value.size() <= max_length) {
    out->assign(value);
    return true;
  }
  std::string prefix(value.substr(0, Utf8Boundary(value, max_length)));
  // Increment the last byte that can be incremented; drop the 0xFF bytes after it. Incrementing the
  // last byte of a UTF-8 character keeps it valid in the common case (an ASCII byte or a final
  // continuation byte below 0xBF); correctness (≥ every value) does not depend on it.
  while (!prefix.empty()) {
    unsigned char last = static_cast<unsigned char>(prefix.back());
    if (last != 0xFF) {
      prefix.back() = static_cast<char>(last + 1);
      *out = std::move(prefix);
      return true;
    }
    prefix.pop_back();
  }
  return false;
}

void ColumnStatistics::Reset() {
  has_min_max_ = false;
  null_count_ = 0;
  min_bytes_.clear();
  max_bytes_.clear();
}

void ColumnStatistics::UpdateInt64(const int64_t* values, size_t n) {
  if (n == 0) return;
  int64_t lo = has_min_max_ ? min_int_ : values[0];
  int64_t hi = has_min_max_ ? max_int_ : values[0];
  for (size_t i = 0; i < n; ++i) {
    lo = std::min(lo, values[i]);
    hi = std::max(hi, values[i]);
  }
  min_int_ = lo;
  max_int_ = hi;
  has_min_max_ = true;
}

void ColumnStatistics::UpdateDouble(const double* values, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    double v = values[i];
    if (std::isnan(v)) continue;  // the specification leaves NaN out of min/max
    if (!has_min_max_) {
      min_double_ = max_double_ = v;
      has_min_max_ = true;
      continue;
    }
    // -0.0 and +0.0 compare equal; ToThrift writes a zero bound with the sign the spec asks for.
    if (v < min_double_) min_double_ = v;
    if (v > max_double_) max_double_ = v;
  }
}

void ColumnStatistics::UpdateBoolean(const uint8_t* values, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    int64_t v = values[i] ? 1 : 0;
    if (!has_min_max_) {
      min_int_ = max_int_ = v;
      has_min_max_ = true;
    } else {
      min_int_ = std::min(min_int_, v);
      max_int_ = std::max(max_int_, v);
    }
  }
}

void ColumnStatistics::UpdateByteArrayValue(std::string_view value) {
  if (!has_min_max_) {
    min_bytes_.assign(value);
    max_bytes_.assign(value);
    has_min_max_ = true;
    return;
  }
  if (CompareBytes(value, min_bytes_) < 0) min_bytes_.assign(value);
  if (CompareBytes(value, max_bytes_) > 0) max_bytes_.assign(value);
}

void ColumnStatistics::UpdateByteArray(const uint8_t* bytes, const uint32_t* offsets, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    // Most values lie strictly between the current bounds by their first byte alone: skip the two
    // full comparisons for them (the hot path when a page holds thousands of log messages).
    if (has_min_max_ && offsets[i + 1] > offsets[i] && !min_bytes_.empty() && !max_bytes_.empty()) {
      unsigned char first = bytes[offsets[i]];
      if (first > static_cast<unsigned char>(min_bytes_[0]) &&
          first < static_cast<unsigned char>(max_bytes_[0])) {
        continue;
      }
    }
    UpdateByteArrayValue(
        std::string_view(reinterpret_cast<const char*>(bytes) + offsets[i], offsets[i + 1] - offsets[i]));
  }
}

void ColumnStatistics::Merge(const ColumnStatistics& other) {
  null_count_ += other.null_count_;
  if (!other.has_min_max_) return;
  switch (type_) {
    case Type::kInt64:
    case Type::kBoolean:
      if (!has_min_max_) {
        min_int_ = other.min_int_;
        max_int_ = other.max_int_;
      } else {
        min_int_ = std::min(min_int_, other.min_int_);
        max_int_ = std::max(max_int_, other.max_int_);
      }
      has_min_max_ = true;
      break;
    case Type::kDouble:
      UpdateDouble(&other.min_double_, 1);
      UpdateDouble(&other.max_double_, 1);
      break;
    case Type::kByteArray:
      UpdateByteArrayValue(other.min_bytes_);
      UpdateByteArrayValue(other.max_bytes_);
      break;
    default:
      break;
  }
}

Statistics ColumnStatistics::ToThrift() const {
  Statistics s;
  s.null_count = null_count_;
  if (!has_min_max_) return s;
  switch (type_) {
    case Type::kInt64:
      s.min_value = Bytes(min_int_);
      s.max_value = Bytes(max_int_);
      break;
    case Type::kBoolean:
      s.min_value = std::string(1, static_cast<char>(min_int_));
      s.max_value = std::string(1, static_cast<char>(max_int_));
      break;
    case Type::kDouble: {
      // The specification: a zero minimum is written as -0.0 and a zero maximum as +0.0, so that
      // readers comparing with either zero stay correct.
      double lo = min_double_ == 0 ? -0.0 : min_double_;
      double hi = max_double_ == 0 ? 0.0 : max_double_;
      s.min_value = Bytes(lo);
      s.max_value = Bytes(hi);
      break;
    }
    case Type::kByteArray: {
      s.min_value = TruncateMin(min_bytes_, max_binary_length_);
      s.is_min_value_exact = s.min_value->size() == min_bytes_.size();
      std::string max;
      if (TruncateMax(max_bytes_, max_binary_length_, &max)) {
        s.is_max_value_exact = max.size() == max_bytes_.size() && max == max_bytes_;
        s.max_value = std::move(max);
      } else {
        s.max_value = max_bytes_;  // every prefix byte is 0xFF: only the whole value bounds the rest
        s.is_max_value_exact = true;
      }
      break;
    }
    default:
      break;
  }
  return s;
}

namespace {

// Compares two little-endian values of type Narrow (4 bytes) or Wide (8 bytes), by size.
template <typename Narrow, typename Wide>
int CompareNumbers(std::string_view a, std::string_view b) {
  auto load = [](std::string_view bytes) -> Wide {
    if (bytes.size() == sizeof(Narrow)) {
      Narrow v;
      std::memcpy(&v, bytes.data(), sizeof(v));
      return static_cast<Wide>(v);
    }
    Wide v;
    std::memcpy(&v, bytes.data(), sizeof(v));
    return v;
  };
  Wide x = load(a), y = load(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

}  // namespace

std::optional<Int64MinMax> Int64MinMaxOf(const Statistics& statistics) {
  if (!statistics.min_value || !statistics.max_value || statistics.min_value->size() != sizeof(int64_t) ||
      statistics.max_value->size() != sizeof(int64_t)) {
    return std::nullopt;
  }
  Int64MinMax range;  // PLAIN INT64: little-endian, as this machine
  std::memcpy(&range.min, statistics.min_value->data(), sizeof(range.min));
  std::memcpy(&range.max, statistics.max_value->data(), sizeof(range.max));
  return range;
}

int CompareStatValues(Type type, std::string_view a, std::string_view b) {
  bool numeric =
      type == Type::kInt32 || type == Type::kInt64 || type == Type::kFloat || type == Type::kDouble;
  if (!numeric || a.size() != b.size() || (a.size() != 4 && a.size() != 8)) return CompareBytes(a, b);
  if (type == Type::kInt32 || type == Type::kInt64) return CompareNumbers<int32_t, int64_t>(a, b);
  return CompareNumbers<float, double>(a, b);
}

}  // namespace logdaemon::parquet
