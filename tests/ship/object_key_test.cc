// Object keys (ship/object_key.h): where each file lands in the bucket, and the prefixes, hosts and names
// that are refused.
#include "ship/object_key.h"

#include <gtest/gtest.h>

namespace logdaemon::ship {
namespace object_key_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

constexpr const char* kFile = "logs_20260115_190000_000001-000480.parquet";

TEST(ObjectKeyTest, DayPartitionThenHostThenFile) {
  Result<std::string> key = ObjectKey("fleet/prod", "web-1", "dt=2026-01-15", kFile);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(*key, std::string("fleet/prod/dt=2026-01-15/host=web-1/") + kFile);
}

TEST(ObjectKeyTest, HourPartitionKeepsTheHourBeforeTheHost) {
  Result<std::string> key = ObjectKey("", "web-1", "dt=2026-01-15/hour=19", kFile);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, std::string("dt=2026-01-15/hour=19/host=web-1/") + kFile);
}

TEST(ObjectKeyTest, UnpartitionedStorageIsPlacedByTheDateInTheFileName) {
  Result<std::string> key = ObjectKey("p", "h", "", "logs_20251231_235959_000007.parquet");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, "p/dt=2025-12-31/host=h/logs_20251231_235959_000007.parquet");
}

TEST(ObjectKeyTest, PartsOfAMergedFileKeepTheirOwnNames) {
  Result<std::string> key =
      ObjectKey("p", "h", "dt=2026-01-15", "logs_20260115_190000_000001-000480_2of3.parquet");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, "p/dt=2026-01-15/host=h/logs_20260115_190000_000001-000480_2of3.parquet");
}

TEST(ObjectKeyTest, RefusesWhatIsNotOurs) {
  EXPECT_FALSE(ObjectKey("p", "h", "dt=2026-01-15", "notes.parquet").ok());
  EXPECT_FALSE(ObjectKey("p", "h", "dt=2026-01-15", "../logs_20260115_190000_000001.parquet").ok());
  EXPECT_FALSE(ObjectKey("p", "h", "year=2026", kFile).ok());
  EXPECT_FALSE(ObjectKey("p", "h", "dt=2026-01-15/../x", kFile).ok());
  EXPECT_FALSE(ObjectKey("p", "h", "dt=2026-1-15", kFile).ok());
  EXPECT_FALSE(ObjectKey("p", "a/b", "dt=2026-01-15", kFile).ok());
  EXPECT_FALSE(ObjectKey("/p", "h", "dt=2026-01-15", kFile).ok());
  EXPECT_FALSE(ObjectKey("p/", "h", "dt=2026-01-15", kFile).ok());
}

TEST(ObjectKeyTest, PrefixAndHostRules) {
  EXPECT_TRUE(CheckPrefix("").ok());
  EXPECT_TRUE(CheckPrefix("a/b=c/d.e_f-g").ok());
  EXPECT_FALSE(CheckPrefix("a/./b").ok());
  EXPECT_FALSE(CheckPrefix("a%2fb").ok());
  EXPECT_FALSE(CheckPrefix(std::string("a\0b", 3)).ok());
  EXPECT_TRUE(CheckHost("ip-10-0-0-1.eu-west-1.compute.internal").ok());
  EXPECT_FALSE(CheckHost("").ok());
  EXPECT_FALSE(CheckHost(std::string(254, 'a')).ok());
  EXPECT_FALSE(CheckHost("host=x").ok());
  Status st = CheckHost("bad\nhost");
  EXPECT_NE(st.message().find("'bad\\x0ahost'"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace object_key_test
}  // namespace logdaemon::ship
