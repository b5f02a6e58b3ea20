// The comma-separated lists of --level, --service, --fields and the query API's parameters
// (query/name_list.h).
#include "query/name_list.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace logdaemon::query {
namespace name_list_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using List = std::vector<std::string>;

TEST(SplitNameList, ItemsWithoutSpacesOrEmptyOnes) {
  EXPECT_EQ(SplitNameList("warn,error"), (List{"warn", "error"}));
  EXPECT_EQ(SplitNameList(" a , b,,c, "), (List{"a", "b", "c"}));
  EXPECT_EQ(SplitNameList("one"), (List{"one"}));
  EXPECT_EQ(SplitNameList(""), List{});
  EXPECT_EQ(SplitNameList(",,, ,"), List{});
  EXPECT_EQ(SplitNameList("a b,c"), (List{"a b", "c"})) << "inner spaces stay";
}

}  // namespace
}  // namespace name_list_test
}  // namespace logdaemon::query
