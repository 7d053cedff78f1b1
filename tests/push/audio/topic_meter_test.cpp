#include "push/audio/topic_meter.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "push/snapshot_json.hpp"
#include "tests/push/audio/test_signals.hpp"

namespace levelcast {
namespace {

using test::db_to_amplitude;
using test::sine;

constexpr int kRate = 48000;
constexpr int kBlock = 960;  // 20 ms: 50 snapshots per second

TEST(TopicMeter, SineAtMinus20DbfsReadsRmsMinus23AndPeakMinus20) {
  TopicMeter meter(MeterOptions{}, 2, kRate, kBlock);
  Snapshot s;
  meter.measure(sine(db_to_amplitude(-20), 1000, kRate, kBlock, 2), s);
  ASSERT_EQ(s.channels.size(), 2u);
  for (const ChannelLevel& c : s.channels) {
    EXPECT_NEAR(c.rms_db, -23.0, 0.1);
    EXPECT_NEAR(c.peak_db, -20.0, 0.1);
    EXPECT_TRUE(std::isnan(c.peak_hold_db));  // not asked for
  }
  EXPECT_FALSE(s.has_loudness);
  EXPECT_TRUE(s.bands_db.empty());
  EXPECT_EQ(meter.fields(), (std::vector<std::string>{"rms", "peak"}));
}

TEST(TopicMeter, DigitalSilenceReadsMinusInfinityAndJsonNull) {
  MeterOptions options;
  options.loudness.momentary = true;
  options.true_peak = true;
  options.bands = BandLayout::octave;
  options.peak_hold_seconds = 1;
  TopicMeter meter(options, 2, kRate, kBlock);
  Snapshot s;
  s.topic = "quiet";
  const std::vector<float> silence(kBlock * 2, 0.0f);
  for (int i = 0; i < 30; ++i) meter.measure(silence, s);
  for (const ChannelLevel& c : s.channels) {
    EXPECT_TRUE(std::isinf(c.rms_db) && c.rms_db < 0);
    EXPECT_TRUE(std::isinf(c.peak_db) && c.peak_db < 0);
    EXPECT_TRUE(std::isinf(c.peak_hold_db) && c.peak_hold_db < 0);
  }
  EXPECT_TRUE(std::isinf(s.loudness.momentary) && s.loudness.momentary < 0);
  EXPECT_TRUE(std::isinf(s.loudness.true_peak) && s.loudness.true_peak < 0);
  for (const double band : s.bands_db) EXPECT_TRUE(std::isinf(band) && band < 0);
  std::string json;
  append_snapshot_json(json, s);
  EXPECT_NE(json.find(R"({"rms":null,"peak":null)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("momentary":null)"), std::string::npos) << json;
}

// EBU Tech 3341, test case 1: stereo 1 kHz sine at -23 dBFS on each channel reads -23.0 LUFS.
TEST(TopicMeter, EbuTech3341Case1) {
  MeterOptions options;
  options.loudness = {.momentary = true, .short_term = true, .integrated = true};
  TopicMeter meter(options, 2, kRate, kBlock);
  Snapshot s;
  const std::vector<float> block = sine(db_to_amplitude(-23), 1000, kRate, kBlock, 2);
  for (int i = 0; i < 4 * 50; ++i) meter.measure(block, s);  // 4 s: past the 3 s short-term window
  ASSERT_TRUE(s.has_loudness);
  EXPECT_NEAR(s.loudness.momentary, -23.0, 0.1);
  EXPECT_NEAR(s.loudness.short_term, -23.0, 0.1);
  EXPECT_NEAR(s.loudness.integrated, -23.0, 0.1);
  EXPECT_TRUE(std::isnan(s.loudness.true_peak));  // not asked for
  EXPECT_EQ(meter.fields(), (std::vector<std::string>{"rms", "peak", "loudness.momentary", "loudness.short_term",
                                                      "loudness.integrated"}));
}

// EBU Tech 3341, test case 2: the same at -33 dBFS reads -33.0 LUFS.
TEST(TopicMeter, EbuTech3341Case2) {
  MeterOptions options;
  options.loudness.short_term = true;
  TopicMeter meter(options, 2, kRate, kBlock);
  Snapshot s;
  const std::vector<float> block = sine(db_to_amplitude(-33), 1000, kRate, kBlock, 2);
  for (int i = 0; i < 4 * 50; ++i) meter.measure(block, s);
  EXPECT_NEAR(s.loudness.short_term, -33.0, 0.1);
  EXPECT_TRUE(std::isnan(s.loudness.momentary));
}

// A sine at a quarter of the sample rate, sampled 45 degrees off its crests, has sample peaks 3 dB
// below its true peak.
TEST(TopicMeter, TruePeakSeesBetweenTheSamples) {
  MeterOptions options;
  options.true_peak = true;
  TopicMeter meter(options, 1, kRate, kBlock);
  Snapshot s;
  const double amplitude = db_to_amplitude(-6);
  for (int i = 0; i < 10; ++i) meter.measure(sine(amplitude, kRate / 4.0, kRate, kBlock, 1, std::numbers::pi / 4), s);
  EXPECT_NEAR(s.channels[0].peak_db, -9.0, 0.1);
  EXPECT_NEAR(s.loudness.true_peak, -6.0, 0.5);
  EXPECT_EQ(meter.fields(), (std::vector<std::string>{"rms", "peak", "loudness.true_peak"}));
}

TEST(TopicMeter, BandsCarryTheirCentres) {
  MeterOptions options;
  options.bands = BandLayout::octave;
  TopicMeter meter(options, 2, kRate, kBlock);
  Snapshot s;
  meter.measure(sine(db_to_amplitude(-20), 1000, kRate, kBlock, 2), s);
  ASSERT_EQ(s.bands_db.size(), 10u);
  EXPECT_EQ(s.band_hz, meter.band_hz());
  EXPECT_DOUBLE_EQ(s.band_hz[5], 1000.0);
  EXPECT_NEAR(s.bands_db[5], -23.0, 0.5);
  EXPECT_EQ(meter.fields(), (std::vector<std::string>{"rms", "peak", "bands"}));
}

TEST(TopicMeter, PeakHoldFollowsTheBlocks) {
  MeterOptions options;
  options.peak_hold_seconds = 0.5;
  TopicMeter meter(options, 1, kRate, kBlock);
  Snapshot s;
  meter.measure(sine(db_to_amplitude(-6), 1000, kRate, kBlock, 1), s);
  EXPECT_NEAR(s.channels[0].peak_hold_db, -6.0, 0.01);
  const std::vector<float> quiet = sine(db_to_amplitude(-60), 1000, kRate, kBlock, 1);
  for (int i = 0; i < 50; ++i) meter.measure(quiet, s);  // 1 s: 0.5 s held, 0.5 s at 20 dB/s
  EXPECT_NEAR(s.channels[0].peak_hold_db, -16.0, 0.01);
  EXPECT_NEAR(s.channels[0].peak_db, -60.0, 0.01);
  EXPECT_EQ(meter.fields(), (std::vector<std::string>{"rms", "peak", "peak_hold"}));
}

}  // namespace
}  // namespace levelcast
