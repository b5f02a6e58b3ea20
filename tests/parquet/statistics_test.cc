#include "parquet/statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace logdaemon::parquet {
namespace statistics_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

double AsDouble(const std::string& bytes) {
  double v;
  std::memcpy(&v, bytes.data(), 8);
  return v;
}

TEST(Statistics, DoublesLeaveNaNOutAndSignTheirZeros) {
  ColumnStatistics stats(Type::kDouble);
  const double values[] = {std::nan(""), 0.0, 3.5, -0.0};
  stats.UpdateDouble(values, 4);
  Statistics s = stats.ToThrift();
  EXPECT_TRUE(std::signbit(AsDouble(*s.min_value)));  // -0.0
  EXPECT_EQ(AsDouble(*s.max_value), 3.5);
  ColumnStatistics nan_only(Type::kDouble);
  nan_only.UpdateDouble(values, 1);
  EXPECT_FALSE(nan_only.ToThrift().min_value.has_value());
  ColumnStatistics infinities(Type::kDouble);
  const double inf[] = {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
  infinities.UpdateDouble(inf, 2);
  EXPECT_EQ(AsDouble(*infinities.ToThrift().min_value), -std::numeric_limits<double>::infinity());
}

TEST(Statistics, IntegersBooleansAndMerge) {
  ColumnStatistics page1(Type::kInt64), page2(Type::kInt64), chunk(Type::kInt64);
  const int64_t a[] = {5, std::numeric_limits<int64_t>::max()};
  const int64_t b[] = {std::numeric_limits<int64_t>::min(), 7};
  page1.UpdateInt64(a, 2);
  page2.UpdateInt64(b, 2);
  page2.AddNulls(3);
  chunk.Merge(page1);
  chunk.Merge(page2);
  Statistics s = chunk.ToThrift();
  int64_t min, max;
  std::memcpy(&min, s.min_value->data(), 8);
  std::memcpy(&max, s.max_value->data(), 8);
  EXPECT_EQ(min, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(max, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(*s.null_count, 3);
  ColumnStatistics flags(Type::kBoolean);
  const uint8_t f[] = {1, 1};
  flags.UpdateBoolean(f, 2);
  EXPECT_EQ(*flags.ToThrift().min_value, std::string(1, '\1'));
}

// The property that makes truncation safe: truncated min <= every value <= truncated max.
TEST(Statistics, TruncatedBoundsStillBoundEveryValue) {
  std::mt19937_64 rng(4);
  const std::string alphabet[] = {"a", "z", "\xFF", "\x00", "é", "日", "🚀", "\x7F"};
  for (int round = 0; round < 300; ++round) {
    ColumnStatistics stats(Type::kByteArray, 16);
    std::vector<std::string> values;
    for (int i = 0; i < 20; ++i) {
      std::string v;
      size_t pieces = rng() % 30;
      for (size_t p = 0; p < pieces; ++p) v += alphabet[rng() % 8];
      values.push_back(v);
      stats.UpdateByteArrayValue(v);
    }
    Statistics s = stats.ToThrift();
    for (const auto& v : values) {
      EXPECT_LE(std::string_view(*s.min_value).compare(v), 0) << "min above a value";
      // Unsigned order: std::string compares char_traits<char>, which compares as unsigned char.
      EXPECT_GE(std::string_view(*s.max_value).compare(v), 0) << "max below a value";
    }
    EXPECT_LE(s.min_value->size(), 16u);
  }
}

TEST(Statistics, TruncationFlagsAndUtf8Boundaries) {
  std::string long_text = "日本語のログメッセージ";  // 3 bytes per character
  EXPECT_EQ(TruncateMin(long_text, 10), "日本語");   // 9 bytes: no split character
  std::string max;
  ASSERT_TRUE(TruncateMax("abcdef", 3, &max));
  EXPECT_EQ(max, "abd");
  ASSERT_TRUE(TruncateMax("ab\xFF\xFF", 3, &max));
  EXPECT_EQ(max, "ac");
  EXPECT_FALSE(TruncateMax("\xFF\xFF\xFF\xFF", 2, &max));
  ColumnStatistics stats(Type::kByteArray, 4);
  stats.UpdateByteArrayValue("short");
  stats.UpdateByteArrayValue("a");
  Statistics s = stats.ToThrift();
  EXPECT_TRUE(*s.is_min_value_exact);
  EXPECT_FALSE(*s.is_max_value_exact);
  EXPECT_EQ(*s.max_value, "shos");  // "shor" incremented: still above "short"
}

TEST(Statistics, CompareStatValuesUsesTheColumnOrder) {
  int64_t a = -1, b = 1;
  std::string sa(reinterpret_cast<char*>(&a), 8), sb(reinterpret_cast<char*>(&b), 8);
  EXPECT_LT(CompareStatValues(Type::kInt64, sa, sb), 0);
  EXPECT_GT(CompareStatValues(Type::kByteArray, sa, sb), 0);  // 0xFF... > 0x01... as bytes
}

TEST(Statistics, Int64MinMaxOfReadsBackWhatWasWritten) {
  ColumnStatistics stats(Type::kInt64);
  const int64_t values[] = {5, -1'700'000'000'000'000, 1'800'000'000'000'000};
  stats.UpdateInt64(values, 3);
  const std::optional<Int64MinMax> range = Int64MinMaxOf(stats.ToThrift());
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->min, -1'700'000'000'000'000);
  EXPECT_EQ(range->max, 1'800'000'000'000'000);
  EXPECT_FALSE(Int64MinMaxOf(ColumnStatistics(Type::kInt64).ToThrift()).has_value()) << "no values";
  ColumnStatistics strings(Type::kByteArray);
  strings.UpdateByteArrayValue("abc");
  EXPECT_FALSE(Int64MinMaxOf(strings.ToThrift()).has_value()) << "not 8-byte values";
}

}  // namespace
}  // namespace statistics_test
}  // namespace logdaemon::parquet
