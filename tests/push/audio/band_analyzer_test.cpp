#include "push/audio/band_analyzer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "tests/push/audio/test_signals.hpp"

namespace levelcast {
namespace {

using test::db_to_amplitude;
using test::sine;

size_t band_index(const BandAnalyzer& analyzer, double hz) {
  const auto& centres = analyzer.band_hz();
  const auto it = std::find(centres.begin(), centres.end(), hz);
  EXPECT_NE(it, centres.end()) << hz;
  return static_cast<size_t>(it - centres.begin());
}

void expect_tone_in_its_band(BandLayout layout, int block_frames) {
  BandAnalyzer analyzer(layout, 0, 2, 48000, static_cast<size_t>(block_frames));
  std::vector<double> bands;
  analyzer.measure(sine(db_to_amplitude(-20), 1000, 48000, block_frames, 2), bands);
  ASSERT_EQ(bands.size(), analyzer.band_count());
  const double at_1k = bands[band_index(analyzer, 1000)];
  EXPECT_NEAR(at_1k, -23.0, 0.5);  // the tone's RMS level
  EXPECT_LE(bands[band_index(analyzer, 250)], at_1k - 30);
  EXPECT_LE(bands[band_index(analyzer, 4000)], at_1k - 30);
}

TEST(BandAnalyzer, OneKilohertzLandsInTheOctaveBand) { expect_tone_in_its_band(BandLayout::octave, 960); }

TEST(BandAnalyzer, OneKilohertzLandsInTheThirdOctaveBand) { expect_tone_in_its_band(BandLayout::third, 960); }

TEST(BandAnalyzer, WorksWithBlocksLongerAndShorterThanUsual) {
  expect_tone_in_its_band(BandLayout::octave, 4800);
  expect_tone_in_its_band(BandLayout::third, 480);
}

TEST(BandAnalyzer, StandardCentres) {
  const BandAnalyzer octaves(BandLayout::octave, 0, 1, 48000, 960);
  EXPECT_EQ(octaves.band_hz(), (std::vector<double>{31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000}));
  const BandAnalyzer thirds(BandLayout::third, 0, 1, 48000, 960);
  ASSERT_EQ(thirds.band_count(), 31u);
  EXPECT_EQ(thirds.band_hz().front(), 20.0);
  EXPECT_EQ(thirds.band_hz().back(), 20000.0);
  // Fine enough for the narrowest third-octave band (about 4.6 Hz at 20 Hz).
  EXPECT_LE(48000.0 / static_cast<double>(thirds.fft_size()), 4.6);
}

TEST(BandAnalyzer, LogSpacedBands) {
  const BandAnalyzer analyzer(BandLayout::log_spaced, 12, 1, 48000, 960);
  ASSERT_EQ(analyzer.band_count(), 12u);
  const auto& hz = analyzer.band_hz();
  EXPECT_GT(hz.front(), 20.0);
  EXPECT_LT(hz.back(), 20000.0);
  for (size_t i = 1; i < hz.size(); ++i) EXPECT_NEAR(hz[i] / hz[i - 1], hz[1] / hz[0], 1e-9);
}

TEST(BandAnalyzer, BandsAboveNyquistAreLeftOut) {
  const BandAnalyzer analyzer(BandLayout::octave, 0, 1, 16000, 320);
  EXPECT_EQ(analyzer.band_hz().back(), 8000.0);  // 16 kHz starts above 8 kHz Nyquist
}

TEST(BandAnalyzer, ChannelPowersAreAveraged) {
  BandAnalyzer analyzer(BandLayout::octave, 0, 2, 48000, 960);
  std::vector<float> left_only = sine(db_to_amplitude(-20), 1000, 48000, 960, 2);
  for (size_t i = 1; i < left_only.size(); i += 2) left_only[i] = 0;
  std::vector<double> bands;
  analyzer.measure(left_only, bands);
  EXPECT_NEAR(bands[5], -26.0, 0.5);  // half the power of both channels
}

}  // namespace
}  // namespace levelcast
