#include "push/audio/level_meter.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/push/audio/test_signals.hpp"

namespace levelcast {
namespace {

using test::sine;

TEST(LevelMeter, FullScaleSine) {
  LevelMeter meter(1);
  std::vector<ChannelLevel> levels;
  // 1 kHz at 48 kHz over 48 whole periods; the peak sample hits 1.0 exactly at 90 degrees.
  meter.measure(sine(1.0, 1000, 48000, 2400, 1), levels);
  ASSERT_EQ(levels.size(), 1u);
  EXPECT_NEAR(levels[0].rms_db, -3.01, 0.01);
  EXPECT_NEAR(levels[0].peak_db, 0.0, 0.01);
}

TEST(LevelMeter, MinusTwentyDbfsSine) {
  LevelMeter meter(2);
  std::vector<ChannelLevel> levels;
  meter.measure(sine(std::pow(10.0, -20.0 / 20.0), 1000, 48000, 4800, 2), levels);
  ASSERT_EQ(levels.size(), 2u);
  for (const auto& l : levels) {
    EXPECT_NEAR(l.rms_db, -23.0, 0.05);
    EXPECT_NEAR(l.peak_db, -20.0, 0.05);
  }
}

TEST(LevelMeter, SilenceIsMinusInfinity) {
  LevelMeter meter(2);
  std::vector<ChannelLevel> levels;
  meter.measure(std::vector<float>(960, 0.0f), levels);
  EXPECT_TRUE(std::isinf(levels[0].rms_db));
  EXPECT_TRUE(std::isinf(levels[1].peak_db));
}

TEST(LevelMeter, ChannelsAreMeasuredApart) {
  LevelMeter meter(2);
  std::vector<float> samples(2000);
  for (size_t i = 0; i < samples.size(); i += 2) samples[i] = 0.5f;  // left DC, right silent
  std::vector<ChannelLevel> levels;
  meter.measure(samples, levels);
  EXPECT_NEAR(levels[0].rms_db, -6.02, 0.01);
  EXPECT_TRUE(std::isinf(levels[1].rms_db));
}

TEST(LevelMeter, NonFiniteSamplesBecomeFullScaleNotSilence) {
  std::vector<float> block = {0.0f, std::nanf(""), INFINITY, -INFINITY, 0.25f, 0.0f};
  EXPECT_EQ(replace_non_finite(block), 3u);
  EXPECT_EQ(block, (std::vector<float>{0.0f, 1.0f, 1.0f, -1.0f, 0.25f, 0.0f}));
  LevelMeter meter(2);
  std::vector<ChannelLevel> levels;
  meter.measure(block, levels);
  for (const auto& l : levels) {
    EXPECT_TRUE(std::isfinite(l.rms_db));
    EXPECT_NEAR(l.peak_db, 0.0, 0.01);
  }
}

}  // namespace
}  // namespace levelcast
