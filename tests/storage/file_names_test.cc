// Names in the storage directory (DESIGN.md §5): data file names, their parsing, partition keys and paths.
#include "storage/file_names.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "schema/rfc3339.h"

namespace logdaemon::storage {
namespace file_names_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerHour = 3'600 * kMicrosPerSecond;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

int64_t Micros(const char* rfc3339) {
  int64_t micros = 0;
  EXPECT_TRUE(schema::ParseRfc3339DateTime(rfc3339, &micros)) << rfc3339;
  return micros;
}

int64_t Seconds(const char* rfc3339) {
  int64_t micros = Micros(rfc3339);
  return micros >= 0 ? micros / kMicrosPerSecond : -((-micros + kMicrosPerSecond - 1) / kMicrosPerSecond);
}

// ---- DataFileName ----

TEST(FileNames, MergedFileNameMatchesDesignExample) {
  EXPECT_EQ(DataFileName(Micros("2026-01-15T19:00:00Z"), {1, 480}),
            "logs_20260115_190000_000001-000480.parquet");
}

TEST(FileNames, FlushFileNamePrintsOneNumber) {
  EXPECT_EQ(DataFileName(Micros("2026-01-15T19:35:00Z"), {481, 481}), "logs_20260115_193500_000481.parquet");
}

TEST(FileNames, SequenceNumbersHaveAtLeastSixDigitsAndGrowBeyond) {
  EXPECT_EQ(DataFileName(0, {0, 0}), "logs_19700101_000000_000000.parquet");
  EXPECT_EQ(DataFileName(0, {999999, 1000000}), "logs_19700101_000000_999999-1000000.parquet");
  EXPECT_EQ(DataFileName(0, {1234567, 1234567}), "logs_19700101_000000_1234567.parquet");
  EXPECT_EQ(DataFileName(0, {UINT64_MAX, UINT64_MAX}), "logs_19700101_000000_18446744073709551615.parquet");
}

TEST(FileNames, TimeIsFlooredToTheSecond) {
  EXPECT_EQ(DataFileName(Micros("2026-01-15T19:00:00.999999Z"), {1, 1}),
            "logs_20260115_190000_000001.parquet");
  EXPECT_EQ(DataFileName(Micros("2026-01-15T23:59:59.999999Z"), {1, 1}),
            "logs_20260115_235959_000001.parquet");
}

TEST(FileNames, TimeIsUtc) {
  EXPECT_EQ(DataFileName(Micros("2026-01-16T01:30:00+02:00"), {7, 7}), "logs_20260115_233000_000007.parquet");
}

TEST(FileNames, NegativeTimesFloorTowardThePast) {
  EXPECT_EQ(DataFileName(-1, {1, 1}), "logs_19691231_235959_000001.parquet");
  EXPECT_EQ(DataFileName(-kMicrosPerSecond, {1, 1}), "logs_19691231_235959_000001.parquet");
  EXPECT_EQ(DataFileName(-kMicrosPerSecond - 1, {1, 1}), "logs_19691231_235958_000001.parquet");
  EXPECT_EQ(DataFileName(Micros("1900-02-28T12:34:56.5Z"), {1, 1}), "logs_19000228_123456_000001.parquet");
}

TEST(FileNames, Year9999AndYear0) {
  EXPECT_EQ(DataFileName(Micros("9999-12-31T23:59:59.999999Z"), {1, 2}),
            "logs_99991231_235959_000001-000002.parquet");
  EXPECT_EQ(DataFileName(Micros("0000-01-01T00:00:00Z"), {1, 2}),
            "logs_00000101_000000_000001-000002.parquet");
}

TEST(FileNames, TimesOutsideYears0To9999AreClampedSoTheFileStaysVisible) {
  // An offset can move a valid RFC 3339 time out of the four-digit years.
  const std::string before = DataFileName(Micros("0000-01-01T00:00:00+01:00"), {3, 3});
  EXPECT_EQ(before, "logs_00000101_000000_000003.parquet");
  const std::string after = DataFileName(Micros("9999-12-31T23:30:00-01:00"), {3, 3});
  EXPECT_EQ(after, "logs_99991231_235959_000003.parquet");
  EXPECT_TRUE(ParseDataFileName(before).has_value());
  EXPECT_TRUE(ParseDataFileName(after).has_value());
  EXPECT_TRUE(ParseDataFileName(DataFileName(INT64_MIN, {1, 1})).has_value());
  EXPECT_TRUE(ParseDataFileName(DataFileName(INT64_MAX, {1, 1})).has_value());
}

// ---- ParseDataFileName ----

TEST(FileNames, ParsesMergedFile) {
  auto parsed = ParseDataFileName("logs_20260115_190000_000001-000480.parquet");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->min_time_seconds, Seconds("2026-01-15T19:00:00Z"));
  EXPECT_EQ(parsed->range, (SequenceRange{1, 480}));
}

TEST(FileNames, ParsesFlushFile) {
  auto parsed = ParseDataFileName("logs_20260115_193500_000481.parquet");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->min_time_seconds, Seconds("2026-01-15T19:35:00Z"));
  EXPECT_EQ(parsed->range, (SequenceRange{481, 481}));
}

TEST(FileNames, ParsesEqualNumbersAroundDash) {
  auto parsed = ParseDataFileName("logs_20260115_193500_000005-000005.parquet");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->range, (SequenceRange{5, 5}));
}

TEST(FileNames, ComparesSequenceNumbersAsNumbers) {
  auto parsed = ParseDataFileName("logs_20260115_193500_999999-1000000.parquet");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->range, (SequenceRange{999999, 1000000}));
  parsed = ParseDataFileName("logs_20260115_193500_18446744073709551615.parquet");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->range.first, UINT64_MAX);
  parsed = ParseDataFileName("logs_20260115_193500_000000000000000000000000042.parquet");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->range.first, 42u);
}

TEST(FileNames, ParsesLeapDays) {
  EXPECT_TRUE(ParseDataFileName("logs_20240229_000000_000001.parquet").has_value());
  EXPECT_TRUE(ParseDataFileName("logs_20000229_000000_000001.parquet").has_value());
  EXPECT_TRUE(ParseDataFileName("logs_00000229_000000_000001.parquet").has_value());
  EXPECT_FALSE(ParseDataFileName("logs_20230229_000000_000001.parquet").has_value());
  EXPECT_FALSE(ParseDataFileName("logs_19000229_000000_000001.parquet").has_value());
}

TEST(FileNames, ParsesExtremeDates) {
  auto parsed = ParseDataFileName("logs_99991231_235959_000001.parquet");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->min_time_seconds, Seconds("9999-12-31T23:59:59Z"));
  parsed = ParseDataFileName("logs_00000101_000000_000001.parquet");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->min_time_seconds, Seconds("0000-01-01T00:00:00Z"));
  parsed = ParseDataFileName("logs_19691231_235959_000001.parquet");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->min_time_seconds, -1);
}

TEST(FileNames, RejectsHostileNames) {
  const std::vector<std::string> hostile = {
      "",
      "logs_",
      ".parquet",
      "logs_.parquet",
      "logs_20260115.parquet",
      "logs_20260115_190000.parquet",
      "logs_20260115_190000_.parquet",
      "logs_20260115_190000_-000002.parquet",
      "logs_20260115_190000_000001-.parquet",
      "logs_20260115_190000_000001--000002.parquet",
      "logs_20260115_190000_000001-000002-000003.parquet",
      "logs_20260115_190000_000002-000001.parquet",           // first > last
      "logs_20260115_190000_+00001.parquet",                  // sign
      "logs_20260115_190000_000001-+00002.parquet",           // sign
      "logs_20260115_190000_-00001.parquet",                  // sign
      "logs_20260115_190000_ 00001.parquet",                  // space
      "logs_20260115_190000_00000a.parquet",                  // non-digit
      "logs_20260115_190000_0x0001.parquet",                  // hex
      "logs_20260115_190000_000001 .parquet",                 // trailing space
      "logs_20260115_190000_18446744073709551616.parquet",    // UINT64_MAX + 1
      "logs_20260115_190000_99999999999999999999.parquet",    // overflow
      "logs_20260115_190000_1-18446744073709551616.parquet",  // overflow
      "logs_20261315_190000_000001.parquet",                  // month 13
      "logs_20260015_190000_000001.parquet",                  // month 0
      "logs_20260100_190000_000001.parquet",                  // day 0
      "logs_20260132_190000_000001.parquet",                  // day 32
      "logs_20260230_190000_000001.parquet",                  // Feb 30
      "logs_20260431_190000_000001.parquet",                  // Apr 31
      "logs_20260115_240000_000001.parquet",                  // hour 24
      "logs_20260115_196000_000001.parquet",                  // minute 60
      "logs_20260115_190060_000001.parquet",                  // second 60 (no leap seconds in names)
      "logs_2026115_190000_000001.parquet",                   // short date
      "logs_202601150_190000_000001.parquet",                 // long date
      "logs_20260115_19000_000001.parquet",                   // short time
      "logs_20260115-190000_000001.parquet",                  // wrong separator
      "logs_2026-01-15_190000_000001.parquet",                // ISO date
      "logs_+2026015_190000_000001.parquet",                  // sign in date
      "logs_-2026015_190000_000001.parquet",                  // sign in date
      "logs_20260115_190000_000001.parquet.tmp",              // wrong suffix
      "logs_20260115_190000_000001.parq",                     // wrong suffix
      "logs_20260115_190000_000001.PARQUET",                  // case
      "logs_20260115_190000_000001",                          // no suffix
      "logs_20260115_190000_000001.parquet\n",                // trailing newline
      "LOGS_20260115_190000_000001.parquet",                  // case
      "log_20260115_190000_000001.parquet",                   // prefix
      "xlogs_20260115_190000_000001.parquet",                 // prefix
      " logs_20260115_190000_000001.parquet",                 // leading space
      "data.parquet",                                         // another parquet file
      "logs_20260115_190000_000001.parquet.parquet",          // double suffix
      "logs_20260115_190000_000001_000002.parquet",           // extra part
      std::string("logs_20260115_190000_0000\0"
                  "1.parquet",
                  35),  // NUL
  };
  for (const std::string& name : hostile) {
    EXPECT_FALSE(ParseDataFileName(name).has_value()) << "accepted: " << name;
  }
}

TEST(FileNames, RoundTripsManyTimesAndRanges) {
  std::mt19937_64 random(20260115);
  const int64_t lowest = Micros("0000-01-01T00:00:00Z");
  const int64_t highest = Micros("9999-12-31T23:59:59.999999Z");
  std::uniform_int_distribution<int64_t> time(lowest, highest);
  for (int i = 0; i < 20000; ++i) {
    const int64_t micros = i == 0 ? lowest : i == 1 ? highest : time(random);
    uint64_t first = random() >> (random() % 64);
    uint64_t last = first + (random() % 2 == 0 ? 0 : random() >> (random() % 64));
    if (last < first) last = first;  // wrapped
    const std::string name = DataFileName(micros, {first, last});
    auto parsed = ParseDataFileName(name);
    ASSERT_TRUE(parsed.has_value()) << name;
    const int64_t seconds =
        micros >= 0 ? micros / kMicrosPerSecond : -((-micros + kMicrosPerSecond - 1) / kMicrosPerSecond);
    EXPECT_EQ(parsed->min_time_seconds, seconds) << name;
    EXPECT_EQ(parsed->range, (SequenceRange{first, last})) << name;
    EXPECT_EQ(DataFileName(parsed->min_time_seconds * kMicrosPerSecond, parsed->range), name);
  }
}

TEST(FileNames, NamesOfOneDaySortByTimeThenRange) {
  // Within a partition, names sort by time; across a day change too (no partition spans years).
  EXPECT_LT(DataFileName(Micros("2026-01-15T09:00:00Z"), {9, 9}),
            DataFileName(Micros("2026-01-15T10:00:00Z"), {1, 1}));
  EXPECT_LT(DataFileName(Micros("2026-01-15T23:59:59Z"), {9, 9}),
            DataFileName(Micros("2026-01-16T00:00:00Z"), {1, 1}));
}

// ---- Partitions ----

TEST(FileNames, DayPartitionAroundMidnight) {
  const int64_t midnight = Micros("2026-01-16T00:00:00Z");
  EXPECT_EQ(PartitionPath(Partitioning::kDay, PartitionKey(Partitioning::kDay, midnight - 1)),
            "dt=2026-01-15");
  EXPECT_EQ(PartitionPath(Partitioning::kDay, PartitionKey(Partitioning::kDay, midnight)), "dt=2026-01-16");
  EXPECT_EQ(PartitionKey(Partitioning::kDay, midnight) - PartitionKey(Partitioning::kDay, midnight - 1), 1);
  EXPECT_EQ(PartitionStartMicros(Partitioning::kDay, PartitionKey(Partitioning::kDay, midnight - 1)),
            Micros("2026-01-15T00:00:00Z"));
  EXPECT_EQ(PartitionStartMicros(Partitioning::kDay, PartitionKey(Partitioning::kDay, midnight)), midnight);
}

TEST(FileNames, DayPartitionIsTheUtcDate) {
  EXPECT_EQ(PartitionPath(Partitioning::kDay,
                          PartitionKey(Partitioning::kDay, Micros("2026-01-16T01:00:00+02:00"))),
            "dt=2026-01-15");
}

TEST(FileNames, HourPartitionAroundHourAndMidnight) {
  const int64_t midnight = Micros("2026-01-16T00:00:00Z");
  EXPECT_EQ(PartitionPath(Partitioning::kHour, PartitionKey(Partitioning::kHour, midnight - 1)),
            "dt=2026-01-15/hour=23");
  EXPECT_EQ(PartitionPath(Partitioning::kHour, PartitionKey(Partitioning::kHour, midnight)),
            "dt=2026-01-16/hour=00");
  EXPECT_EQ(PartitionPath(Partitioning::kHour,
                          PartitionKey(Partitioning::kHour, Micros("2026-01-16T09:59:59.999999Z"))),
            "dt=2026-01-16/hour=09");
  EXPECT_EQ(
      PartitionPath(Partitioning::kHour, PartitionKey(Partitioning::kHour, Micros("2026-01-16T10:00:00Z"))),
      "dt=2026-01-16/hour=10");
  EXPECT_EQ(PartitionStartMicros(Partitioning::kHour, PartitionKey(Partitioning::kHour, midnight + 1)),
            midnight);
}

TEST(FileNames, NegativeTimesPartitionIntoThePast) {
  EXPECT_EQ(PartitionKey(Partitioning::kDay, -1), -1);
  EXPECT_EQ(PartitionKey(Partitioning::kHour, -1), -1);
  EXPECT_EQ(PartitionKey(Partitioning::kDay, -kMicrosPerDay), -1);
  EXPECT_EQ(PartitionKey(Partitioning::kDay, -kMicrosPerDay - 1), -2);
  EXPECT_EQ(PartitionPath(Partitioning::kDay, -1), "dt=1969-12-31");
  EXPECT_EQ(PartitionPath(Partitioning::kHour, -1), "dt=1969-12-31/hour=23");
  EXPECT_EQ(PartitionPath(Partitioning::kHour, -24), "dt=1969-12-31/hour=00");
  EXPECT_EQ(PartitionPath(Partitioning::kHour, -25), "dt=1969-12-30/hour=23");
  EXPECT_EQ(PartitionStartMicros(Partitioning::kDay, -1), -kMicrosPerDay);
  EXPECT_EQ(PartitionStartMicros(Partitioning::kHour, -1), -kMicrosPerHour);
  EXPECT_EQ(
      PartitionPath(Partitioning::kDay, PartitionKey(Partitioning::kDay, Micros("1900-03-01T00:00:00Z"))),
      "dt=1900-03-01");
}

TEST(FileNames, Year9999AndYear0Partitions) {
  const int64_t last = Micros("9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(PartitionPath(Partitioning::kDay, PartitionKey(Partitioning::kDay, last)), "dt=9999-12-31");
  EXPECT_EQ(PartitionPath(Partitioning::kHour, PartitionKey(Partitioning::kHour, last)),
            "dt=9999-12-31/hour=23");
  const int64_t first = Micros("0000-01-01T00:00:00Z");
  EXPECT_EQ(PartitionPath(Partitioning::kDay, PartitionKey(Partitioning::kDay, first)), "dt=0000-01-01");
  EXPECT_EQ(PartitionPath(Partitioning::kHour, PartitionKey(Partitioning::kHour, first)),
            "dt=0000-01-01/hour=00");
}

TEST(FileNames, DistinctKeysOutsideYears0To9999KeepDistinctPaths) {
  const int64_t day_zero = PartitionKey(Partitioning::kDay, Micros("0000-01-01T00:00:00Z"));
  EXPECT_EQ(PartitionPath(Partitioning::kDay, day_zero - 1), "dt=-0001-12-31");
  const int64_t after = PartitionKey(Partitioning::kDay, Micros("9999-12-31T00:00:00Z")) + 1;
  EXPECT_EQ(PartitionPath(Partitioning::kDay, after), "dt=10000-01-01");
}

TEST(FileNames, NoPartitioning) {
  EXPECT_EQ(PartitionKey(Partitioning::kNone, Micros("2026-01-15T19:00:00Z")), 0);
  EXPECT_EQ(PartitionKey(Partitioning::kNone, -5), 0);
  EXPECT_EQ(PartitionPath(Partitioning::kNone, 0), "");
  EXPECT_EQ(PartitionStartMicros(Partitioning::kNone, 0), 0);
}

TEST(FileNames, EveryTimeFallsInsideItsPartition) {
  std::mt19937_64 random(7);
  std::uniform_int_distribution<int64_t> time(Micros("0000-01-01T00:00:00Z"),
                                              Micros("9999-12-31T23:59:59.999999Z"));
  for (int i = 0; i < 20000; ++i) {
    const int64_t micros = i < 3 ? (i - 1) : time(random);
    for (Partitioning partitioning : {Partitioning::kDay, Partitioning::kHour}) {
      const int64_t key = PartitionKey(partitioning, micros);
      EXPECT_LE(PartitionStartMicros(partitioning, key), micros);
      EXPECT_GT(PartitionStartMicros(partitioning, key + 1), micros);
    }
    // The day directory of an hour partition is the day partition of the same time.
    const std::string hour_path =
        PartitionPath(Partitioning::kHour, PartitionKey(Partitioning::kHour, micros));
    const std::string day_path = PartitionPath(Partitioning::kDay, PartitionKey(Partitioning::kDay, micros));
    EXPECT_EQ(hour_path.substr(0, hour_path.find('/')), day_path);
    // And the file name's date is the partition's date.
    const std::string name = DataFileName(micros, {1, 1});
    EXPECT_EQ(name.substr(5, 8), day_path.substr(3, 4) + day_path.substr(8, 2) + day_path.substr(11, 2));
  }
}

TEST(FileNames, DayPathsSortChronologically) {
  std::vector<std::string> paths;
  for (int64_t key = PartitionKey(Partitioning::kDay, Micros("0000-01-01T00:00:00Z"));
       key <= PartitionKey(Partitioning::kDay, Micros("9999-12-31T00:00:00Z")); key += 997) {
    paths.push_back(PartitionPath(Partitioning::kDay, key));
  }
  EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end()));
}

}  // namespace
}  // namespace file_names_test
}  // namespace logdaemon::storage
