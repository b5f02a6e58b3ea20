// --count-by's grouping: owned keys, every value type, nulls as a group, largest first; and through a
// scan, the counts of a dictionary-encoded column whether few rows are selected (only their values are
// read) or many (every value is decoded).
#include "query/group_count.h"
#include "query/row_buffer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "logdaemon/schema.h"
#include "logdaemon/storage.h"
#include "query/scan.h"
#include "support/temp_dir.h"
#include "support/test_storage.h"

namespace logdaemon::query {
namespace group_count_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

TEST(GroupCount, CountsOwnedKeysLargestFirstNullsLastOnTies) {
  GroupCount groups;
  {
    std::string transient = "api";  // the scan's values are views that go away
    groups.Add(Value::String(transient));
    transient = "db";
    groups.Add(Value::String(transient));
    groups.Add(Value::String(transient));
  }
  groups.Add(Value::Null());
  groups.Add(Value::Null());
  auto sorted = groups.Sorted();
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0].first.s, "db");
  EXPECT_EQ(sorted[0].second, 2u);
  EXPECT_TRUE(sorted[1].first.is_null());  // 2 as well, after the value
  EXPECT_EQ(sorted[2].first.s, "api");
  EXPECT_EQ(sorted[2].second, 1u);
}

TEST(GroupCount, KeepsTypesApart) {
  GroupCount groups;
  groups.Add(Value::Int64(5));
  groups.Add(Value::Int64(5));
  groups.Add(Value::Double(5.0));
  groups.Add(Value::Timestamp(5));
  groups.Add(Value::Bool(true));
  groups.Add(Value::Json("{\"a\":1}"));
  groups.Add(Value::String("{\"a\":1}"));
  auto sorted = groups.Sorted();
  ASSERT_EQ(sorted.size(), 6u);
  EXPECT_EQ(sorted[0].first.type, ValueType::kInt64);
  EXPECT_EQ(sorted[0].first.i, 5);
  EXPECT_EQ(sorted[0].second, 2u);
}

}  // namespace
TEST(GroupCount, MergeAddsTheOtherCounts) {
  GroupCount a, b;
  a.Add(Value::String("api"), 2);
  a.Add(Value::Null());
  b.Add(Value::String("api"));
  b.Add(Value::String("db"), 5);
  a.Merge(b);
  auto sorted = a.Sorted();
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0].first.s, "db");
  EXPECT_EQ(sorted[0].second, 5u);
  EXPECT_EQ(sorted[1].first.s, "api");
  EXPECT_EQ(sorted[1].second, 3u);
  EXPECT_TRUE(sorted[2].first.is_null());
}

TEST(RowBuffer, AppendTakesTheRowsAndTheirStringsWithoutCopying) {
  RowBuffer a(1), b(1);
  const Value first[1] = {Value::String("first")};
  a.Add(1, first);
  std::string text = "second";
  const Value second[1] = {Value::String(text)};
  b.Add(2, second);
  const char* stored = b.Row(0)[0].s.data();
  a.Append(std::move(b));
  EXPECT_EQ(b.size(), 0u);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.Row(1)[0].s.data(), stored) << "the string stayed where it was";
  text.assign("changed");
  const Value third[1] = {Value::String("third")};
  a.Add(3, third);  // keeps filling a's own block, not b's
  EXPECT_EQ(a.Row(0)[0].s, "first");
  EXPECT_EQ(a.Row(1)[0].s, "second");
  EXPECT_EQ(a.Row(2)[0].s, "third");
  EXPECT_EQ(a.time(2), 3);
}

namespace {

// One row group of many pages and scan windows. Errors are rare (1 log in 53) except in a burst where
// every other log is one; the service is null for every 11th log and otherwise changes every 3 logs.
class CountByScanTest : public ::testing::Test {
 protected:
  static constexpr int kLogs = 70'000;
  static bool Burst(int i) { return i >= 30'000 && i < 40'000; }
  static std::string Level(int i) {
    if (Burst(i) ? i % 2 == 0 : i % 53 == 0) return "error";
    return i % 3 == 0 ? "warn" : "info";
  }
  static std::string Service(int i) {
    static const char* kServices[] = {"api", "worker", "db"};
    return i % 11 == 0 ? "<null>" : kServices[(i / 3) % 3];
  }

  void SetUp() override {
    auto engine = testing_support::OpenTestStorage(dir_.path());  // one flush file, at Close
    ASSERT_NE(engine, nullptr);
    for (int i = 0; i < kLogs; ++i) {
      char text[300];
      const std::string service = i % 11 == 0 ? "" : R"(,"service":")" + Service(i) + "\"";
      std::snprintf(text, sizeof(text),
                    R"({"timestamp":"2026-01-15T10:%02d:%02d.%06dZ","level":"%s","message":"m%d"%s})",
                    i / 6000, (i / 100) % 60, i % 100, Level(i).c_str(), i, service.c_str());
      Status appended = engine->Append(text);
      ASSERT_TRUE(appended.ok()) << text << ": " << appended.ToString();
    }
    ASSERT_TRUE(engine->Close().ok());
  }

  // --count-by `field` of the logs passing `filter`, by value ("<null>" for nulls).
  std::map<std::string, uint64_t> CountBy(const std::string& field, const ScanFilter& filter) {
    GroupCount groups;
    ScanRequest request;
    request.storage_dir = dir_.path();
    request.filter = filter;
    request.fields = {field};
    request.group_counts = &groups;
    Status st = scanner_.Run(
        request, [](const std::vector<ColumnInfo>&) {}, [](std::span<const Value>) { return true; });
    EXPECT_TRUE(st.ok()) << st.ToString();
    std::map<std::string, uint64_t> counts;
    for (const auto& [value, n] : groups.Sorted())
      counts[value.is_null() ? "<null>" : std::string(value.s)] = n;
    return counts;
  }

  template <typename Keep, typename Key>
  static std::map<std::string, uint64_t> Expected(Keep keep, Key key) {
    std::map<std::string, uint64_t> counts;
    for (int i = 0; i < kLogs; ++i) {
      if (keep(i)) ++counts[key(i)];
    }
    return counts;
  }

  testing_support::TempDir dir_{"logdaemon_count_by"};
  Scanner scanner_;
};

TEST_F(CountByScanTest, SparseAndDenseSelectionsCountTheSame) {
  ScanFilter errors;
  errors.levels = {"error"};
  EXPECT_EQ(CountBy("service", errors),
            Expected([](int i) { return Level(i) == "error"; }, [](int i) { return Service(i); }));
  // Every row: no reading of single values.
  EXPECT_EQ(CountBy("service", ScanFilter{}),
            Expected([](int) { return true; }, [](int i) { return Service(i); }));
  // Grouped by the REQUIRED level column, among one service's logs (a dictionary filter on the other
  // column), and by service among warnings and errors (dense everywhere).
  ScanFilter db;
  db.services = {"db"};
  EXPECT_EQ(CountBy("level", db),
            Expected([](int i) { return Service(i) == "db"; }, [](int i) { return Level(i); }));
  ScanFilter db_errors = errors;
  db_errors.services = {"db"};
  EXPECT_EQ(CountBy("level", db_errors),
            Expected([](int i) { return Service(i) == "db" && Level(i) == "error"; },
                     [](int i) { return Level(i); }));
  ScanFilter warn_error;
  warn_error.levels = {"warn", "error"};
  EXPECT_EQ(CountBy("service", warn_error),
            Expected([](int i) { return Level(i) != "info"; }, [](int i) { return Service(i); }));
  // A level nobody logs: nothing counted.
  ScanFilter fatal;
  fatal.levels = {"fatal"};
  EXPECT_TRUE(CountBy("service", fatal).empty());
}

}  // namespace
}  // namespace group_count_test
}  // namespace logdaemon::query
