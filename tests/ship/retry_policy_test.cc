// The uploader's retry policy (ship/retry_policy.h): which answers are retried soon, which slowly, and
// the backoff's growth, cap and jitter.
#include "ship/retry_policy.h"

#include <gtest/gtest.h>

#include <set>

namespace logdaemon::ship {
namespace retry_policy_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicyTest, ServerErrorsThrottlingAndTimeoutsAreRetriedSoon) {
  for (long status : {500L, 502L, 503L, 504L, 429L}) {
    FailureClass c = ClassifyFailure(status, false);
    EXPECT_EQ(c.reason, ErrorReason::kServer) << status;
    EXPECT_TRUE(c.retry_soon) << status;
  }
  EXPECT_EQ(ClassifyFailure(0, true).reason, ErrorReason::kTimeout);
  EXPECT_EQ(ClassifyFailure(408, false).reason, ErrorReason::kTimeout);
  EXPECT_EQ(ClassifyFailure(0, false).reason, ErrorReason::kConnect);
  EXPECT_TRUE(ClassifyFailure(0, false).retry_soon);
}

TEST(RetryPolicyTest, ClientErrorsAreRetriedOnlyAtTheLongestBackoff) {
  for (long status : {400L, 403L, 404L, 409L}) {
    FailureClass c = ClassifyFailure(status, false);
    EXPECT_EQ(c.reason, ErrorReason::kClient) << status;
    EXPECT_FALSE(c.retry_soon) << status;
  }
  EXPECT_EQ(ClassifyFailure(301, false).reason, ErrorReason::kProtocol);
}

TEST(RetryPolicyTest, BackoffDoublesUpToItsCapWithJitterInTheUpperHalf) {
  Backoff backoff(milliseconds(100), milliseconds(1000), 42);
  for (uint32_t failures = 1; failures <= 12; ++failures) {
    const int64_t ceiling = std::min<int64_t>(1000, int64_t{100} << (failures - 1));
    for (int i = 0; i < 50; ++i) {
      const int64_t d = backoff.Delay(failures).count();
      EXPECT_GE(d, ceiling / 2) << failures;
      EXPECT_LE(d, ceiling) << failures;
    }
  }
  EXPECT_EQ(backoff.max(), milliseconds(1000));
}

TEST(RetryPolicyTest, TwoDaemonsDoNotRetryInLockstep) {
  Backoff a(milliseconds(1000), milliseconds(60000), 1), b(milliseconds(1000), milliseconds(60000), 2);
  std::set<int64_t> differences;
  for (int i = 0; i < 20; ++i) differences.insert(a.Delay(5).count() - b.Delay(5).count());
  EXPECT_GT(differences.size(), 10u);
}

TEST(RetryPolicyTest, AHugeFailureCountDoesNotOverflow) {
  Backoff backoff(milliseconds(500), milliseconds(60000), 7);
  const int64_t d = backoff.Delay(UINT32_MAX).count();
  EXPECT_GE(d, 30000);
  EXPECT_LE(d, 60000);
}

}  // namespace
}  // namespace retry_policy_test
}  // namespace logdaemon::ship
