#include "core/cpu_affinity.hpp"

#include <gtest/gtest.h>

namespace levelcast {
namespace {

TEST(CpuList, ParsesSinglesAndRanges) {
  EXPECT_EQ(parse_cpu_list("0"), (std::vector<int>{0}));
  EXPECT_EQ(parse_cpu_list("0,2-4,7"), (std::vector<int>{0, 2, 3, 4, 7}));
}

TEST(CpuList, RejectsMalformedLists) {
  for (const char* bad : {"", ",", "1,", "a", "3-1", "-1", "1-", "0,,1", "99999"}) {
    EXPECT_FALSE(parse_cpu_list(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace levelcast
