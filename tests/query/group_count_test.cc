// --count-by's grouping: owned keys, every value type, nulls as a group, largest first.
#include "query/group_count.h"

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
}  // namespace logdaemon::query
