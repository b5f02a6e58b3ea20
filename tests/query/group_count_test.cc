// --count-by's grouping: owned keys, every value type, nulls as a group, largest first.
#include "query/group_count.h"
#include "query/row_buffer.h"

#include <gtest/gtest.h>

#include <string>

namespace logdaemon::query {
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

}  // namespace logdaemon::query
