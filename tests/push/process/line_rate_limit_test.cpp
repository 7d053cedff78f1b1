#include "push/process/line_rate_limit.hpp"

#include <gtest/gtest.h>

namespace levelcast {
namespace {

TEST(LineRateLimit, LetsABurstThroughThenCountsTheRest) {
  LineRateLimit limit;
  int admitted = 0;
  for (int i = 0; i < 1000; ++i) admitted += limit.admit(1000) ? 1 : 0;
  EXPECT_EQ(admitted, LineRateLimit::kBurst);
  EXPECT_EQ(limit.take_suppressed(), 1000u - LineRateLimit::kBurst);
  EXPECT_EQ(limit.take_suppressed(), 0u);  // handed out once
}

TEST(LineRateLimit, RefillsAtTheRateAndSaysWhenTheNextLinePasses) {
  LineRateLimit limit;
  for (int i = 0; i < LineRateLimit::kBurst; ++i) ASSERT_TRUE(limit.admit(0));
  EXPECT_FALSE(limit.admit(0));
  EXPECT_EQ(limit.ms_until_token(0), LineRateLimit::kMsPerToken);
  EXPECT_EQ(limit.ms_until_token(LineRateLimit::kMsPerToken - 1), 1);
  EXPECT_EQ(limit.ms_until_token(LineRateLimit::kMsPerToken), 0);
  // One second later: one second's worth of lines, no more.
  int admitted = 0;
  for (int i = 0; i < 1000; ++i) admitted += limit.admit(1000) ? 1 : 0;
  EXPECT_EQ(admitted, LineRateLimit::kLinesPerSecond);
}

TEST(LineRateLimit, AQuietChildGetsItsWholeBurstBack) {
  LineRateLimit limit;
  for (int i = 0; i < LineRateLimit::kBurst; ++i) ASSERT_TRUE(limit.admit(0));
  int admitted = 0;
  for (int i = 0; i < 1000; ++i) admitted += limit.admit(3'600'000) ? 1 : 0;
  EXPECT_EQ(admitted, LineRateLimit::kBurst);
}

}  // namespace
}  // namespace levelcast
