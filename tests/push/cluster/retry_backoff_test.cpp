#include "push/cluster/retry_backoff.hpp"

#include <gtest/gtest.h>

namespace levelcast {
namespace {

TEST(RetryBackoff, DoublesFromATenthOfASecondToTwoSecondsWithJitter) {
  RetryBackoff backoff(42);
  int64_t ceiling = RetryBackoff::kFirstNs;
  for (int i = 0; i < 12; ++i) {
    const int64_t wait = backoff.next();
    EXPECT_GE(wait, ceiling / 2) << i;
    EXPECT_LE(wait, ceiling) << i;
    ceiling = std::min(ceiling * 2, RetryBackoff::kMaxNs);
  }
  EXPECT_EQ(RetryBackoff::kMaxNs, 2'000'000'000);  // back within 2 s of Redis, however long away
  backoff.reset();
  EXPECT_LE(backoff.next(), RetryBackoff::kFirstNs);
}

}  // namespace
}  // namespace levelcast
