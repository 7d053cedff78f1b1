#include "push/snapshot_binary.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>

namespace levelcast {
namespace {

template <typename T>
T at(const std::string& bytes, size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

TEST(SnapshotBinary, HeaderAndChannelsFollowTheDocumentedLayout) {
  Snapshot s;
  s.seq = 0x0102030405060708ULL;
  s.ts_micros = 1763712000123456;
  s.rate = 50;
  s.channels = {{-23.14, -17.86}, {-std::numeric_limits<double>::infinity(), 0.0}};
  std::string out;
  append_snapshot_binary(out, s);
  ASSERT_EQ(out.size(), kBinaryHeaderBytes + 2 * 4);
  EXPECT_EQ(at<uint8_t>(out, 0), 1);
  EXPECT_EQ(at<uint8_t>(out, 1), 0);  // no loudness, bands or peak hold
  EXPECT_EQ(at<uint16_t>(out, 2), 2);
  EXPECT_EQ(at<uint16_t>(out, 4), 0);
  EXPECT_EQ(at<uint64_t>(out, 8), s.seq);
  EXPECT_EQ(at<int64_t>(out, 16), s.ts_micros);
  EXPECT_EQ(at<float>(out, 24), 50.0f);
  EXPECT_EQ(at<int16_t>(out, 28), -2314);
  EXPECT_EQ(at<int16_t>(out, 30), -1786);
  EXPECT_EQ(at<int16_t>(out, 32), kBinaryNull);
  EXPECT_EQ(at<int16_t>(out, 34), 0);
}

TEST(SnapshotBinary, OptionalSectionsAreFlaggedAndAppended) {
  Snapshot s;
  s.channels = {{-10.0, -5.0, -4.0}};
  s.has_loudness = true;
  s.loudness.momentary = -23.0;  // short-term, integrated and true peak not measured
  s.bands_db = {-40.0, -30.5};
  std::string out;
  append_snapshot_binary(out, s);
  EXPECT_EQ(at<uint8_t>(out, 1), 1 | 2 | 4);
  EXPECT_EQ(at<uint16_t>(out, 4), 2);
  ASSERT_EQ(out.size(), kBinaryHeaderBytes + 3 * 2 + 4 * 2 + 2 * 2);
  EXPECT_EQ(at<int16_t>(out, 32), -400);  // peak hold
  EXPECT_EQ(at<int16_t>(out, 34), -2300);
  EXPECT_EQ(at<int16_t>(out, 36), kBinaryNull);
  EXPECT_EQ(at<int16_t>(out, 42), -4000);
  EXPECT_EQ(at<int16_t>(out, 44), -3050);
}

TEST(SnapshotBinary, RangeAndMaximaComeLastUnderFlag8) {
  Snapshot s;
  s.channels = {{-10.0, -5.0}};
  s.has_loudness = true;
  s.loudness.integrated = -23.0;
  s.loudness.range = 10.04;
  s.loudness.max_momentary = -20.0;  // max short-term not measured
  s.bands_db = {-40.0};
  std::string out;
  append_snapshot_binary(out, s);
  EXPECT_EQ(at<uint8_t>(out, 1), 1 | 2 | 8);
  ASSERT_EQ(out.size(), kBinaryHeaderBytes + 2 * 2 + 4 * 2 + 1 * 2 + 3 * 2);
  EXPECT_EQ(at<int16_t>(out, 36), -2300);  // integrated
  EXPECT_EQ(at<int16_t>(out, 40), -4000);  // the band, where a decoder without flag 8 reads it
  EXPECT_EQ(at<int16_t>(out, 42), 1004);
  EXPECT_EQ(at<int16_t>(out, 44), -2000);
  EXPECT_EQ(at<int16_t>(out, 46), kBinaryNull);
}

TEST(SnapshotBinary, CentiDbClampsAndMapsNonFiniteToNull) {
  EXPECT_EQ(to_centi_db(-1000.0), -32767);
  EXPECT_EQ(to_centi_db(400.0), 32767);
  EXPECT_EQ(to_centi_db(std::numeric_limits<double>::quiet_NaN()), kBinaryNull);
  EXPECT_EQ(to_centi_db(-0.004), 0);
}

}  // namespace
}  // namespace levelcast
