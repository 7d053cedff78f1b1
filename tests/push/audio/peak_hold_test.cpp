#include "push/audio/peak_hold.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace levelcast {
namespace {

constexpr double kMinusInf = -std::numeric_limits<double>::infinity();

double step(PeakHold& hold, double peak_db, double seconds) {
  std::vector<ChannelLevel> levels(1);
  levels[0].peak_db = peak_db;
  hold.update(levels, seconds);
  return levels[0].peak_hold_db;
}

TEST(PeakHold, HoldsThenFallsAtTwentyDbPerSecond) {
  PeakHold hold(1, 1.0);
  EXPECT_DOUBLE_EQ(step(hold, -3.0, 0.1), -3.0);
  EXPECT_DOUBLE_EQ(step(hold, -40.0, 0.9), -3.0);   // 0.9 s into the hold
  EXPECT_NEAR(step(hold, -40.0, 0.6), -13.0, 1e-9);  // 1.5 s: 0.5 s of decay
  EXPECT_NEAR(step(hold, -40.0, 1.0), -33.0, 1e-9);
  EXPECT_DOUBLE_EQ(step(hold, -40.0, 1.0), -40.0);   // the decay met the signal
}

TEST(PeakHold, AHigherPeakRestartsTheHold) {
  PeakHold hold(1, 1.0);
  step(hold, -10.0, 0.1);
  EXPECT_DOUBLE_EQ(step(hold, -5.0, 0.5), -5.0);
  EXPECT_DOUBLE_EQ(step(hold, -50.0, 0.9), -5.0);
}

TEST(PeakHold, SilenceStaysSilentAndADecayEndsInSilence) {
  PeakHold hold(2, 0.5);
  std::vector<ChannelLevel> levels(2);
  levels[0].peak_db = kMinusInf;
  levels[1].peak_db = -100.0;
  hold.update(levels, 0.1);
  EXPECT_EQ(levels[0].peak_hold_db, kMinusInf);
  EXPECT_DOUBLE_EQ(levels[1].peak_hold_db, -100.0);
  levels[1].peak_db = kMinusInf;
  hold.update(levels, 2.0);  // -100 - 20 * 1.5 = -130: below the floor
  EXPECT_EQ(levels[1].peak_hold_db, kMinusInf);
}

}  // namespace
}  // namespace levelcast
