#include "push/audio/loudness_meter.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/push/audio/test_signals.hpp"

namespace levelcast {
namespace {

using test::db_to_amplitude;
using test::sine;

constexpr int kRate = 48000;
constexpr int kBlock = 960;  // 20 ms, a whole number of 1 kHz cycles

// Feeds `seconds` of a 1 kHz sine at `dbfs` on every channel, block by block.
void play(LoudnessMeter& meter, double dbfs, double seconds, int channels, Loudness& out) {
  const std::vector<float> block = sine(db_to_amplitude(dbfs), 1000, kRate, kBlock, channels);
  for (int i = 0; i < static_cast<int>(std::lround(seconds * kRate / kBlock)); ++i) meter.measure(block, out);
}

LoudnessModes all_modes() {
  return {.momentary = true, .short_term = true, .integrated = true, .range = true, .maxima = true};
}

bool is_null(double value) { return std::isinf(value) && value < 0; }

TEST(LoudnessMeter, MaximaHoldTheLoudestStep) {
  LoudnessMeter meter(2, kRate, {.maxima = true}, false);
  Loudness l;
  play(meter, -26, 5, 2, l);
  play(meter, -20, 5, 2, l);
  play(meter, -26, 5, 2, l);
  EXPECT_NEAR(l.max_momentary, -20.0, 0.1);
  EXPECT_NEAR(l.max_short_term, -20.0, 0.1);
  EXPECT_TRUE(std::isnan(l.momentary));  // not asked for
  EXPECT_TRUE(std::isnan(l.integrated));
}

// The maxima are taken every 100 ms of audio, not only at the end of each (long) block.
TEST(LoudnessMeter, MaximaDoNotDependOnTheBlockLength) {
  LoudnessMeter meter(1, kRate, {.maxima = true}, false);
  Loudness l;
  std::vector<float> second = sine(db_to_amplitude(-40), 1000, kRate, kRate, 1);
  const std::vector<float> burst = sine(db_to_amplitude(-10), 1000, kRate, kRate / 2, 1);
  std::copy(burst.begin(), burst.end(), second.begin() + kRate / 4);  // 0.25-0.75 s loud
  meter.measure(second, l);  // one block of a second: the burst is over at its end
  EXPECT_NEAR(l.max_momentary, -13.0, 0.1);  // mono sine: -10 dBFS peak reads -13.0 LUFS
}

TEST(LoudnessMeter, RangeIsNullUntilThreeSecondsThenEbuTech3342Case1) {
  LoudnessMeter meter(2, kRate, {.range = true}, false);
  Loudness l;
  play(meter, -20, 2, 2, l);
  EXPECT_TRUE(is_null(l.range));
  play(meter, -20, 18, 2, l);
  play(meter, -30, 20, 2, l);
  EXPECT_NEAR(l.range, 10.0, 1.0);
}

TEST(LoudnessMeter, ResetRestartsIntegratedRangeAndMaximaButNotTheWindows) {
  LoudnessMeter meter(2, kRate, all_modes(), false);
  Loudness l;
  play(meter, -15, 5, 2, l);
  EXPECT_NEAR(l.max_momentary, -15.0, 0.1);
  meter.reset();
  play(meter, -33, 0.2, 2, l);
  EXPECT_NEAR(l.momentary, -17.9, 0.1);   // the 400 ms window reaches back before the reset: half
  EXPECT_NEAR(l.short_term, -15.3, 0.1);  // at -15; the 3 s one too (a fresh state reads -36, -44.7)
  EXPECT_LT(l.max_momentary, -33.0);      // but the maxima count only what follows it
  EXPECT_TRUE(is_null(l.range));
  play(meter, -23, 10, 2, l);
  EXPECT_NEAR(l.integrated, -23.0, 0.1);  // without the reset the 5 s at -15 would dominate
  EXPECT_NEAR(l.max_short_term, -23.0, 0.1);
  EXPECT_NEAR(l.momentary, -23.0, 0.1);
}

// EBU Tech 3341 case 6: 5.0 with L and R at -28 dBFS, C at -24 dBFS, Ls and Rs at -30 dBFS reads
// -23.0 LUFS, the surrounds weighted +1.5 dB (with the default map, Rs would be lost: -23.7).
TEST(LoudnessMeter, FiveChannelsAreFivePointZero) {
  LoudnessMeter meter(5, kRate, {.integrated = true}, false);
  std::vector<float> block(kBlock * 5);
  const double levels[5] = {-28, -28, -24, -30, -30};
  for (int ch = 0; ch < 5; ++ch) {
    const std::vector<float> tone = sine(db_to_amplitude(levels[ch]), 1000, kRate, kBlock, 1);
    for (int i = 0; i < kBlock; ++i) block[i * 5 + ch] = tone[i];
  }
  Loudness l;
  for (int i = 0; i < 20 * kRate / kBlock; ++i) meter.measure(block, l);
  EXPECT_NEAR(l.integrated, -23.0, 0.1);
}

}  // namespace
}  // namespace levelcast
