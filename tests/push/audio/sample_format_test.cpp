#include "push/audio/sample_format.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace levelcast {
namespace {

std::vector<std::byte> bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (const int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

TEST(SampleFormat, DecodesEachFormatToFullScaleOne) {
  float out[2];
  auto s16 = bytes({0x00, 0x40, 0x00, 0x80});  // 16384, -32768
  decode_samples(SampleFormat::s16le, s16.data(), 2, out);
  EXPECT_FLOAT_EQ(out[0], 0.5f);
  EXPECT_FLOAT_EQ(out[1], -1.0f);
  auto s24 = bytes({0x00, 0x00, 0xC0, 0xFF, 0xFF, 0x7F});  // -4194304, 8388607
  decode_samples(SampleFormat::s24le, s24.data(), 2, out);
  EXPECT_FLOAT_EQ(out[0], -0.5f);
  EXPECT_NEAR(out[1], 1.0f, 1e-6);
  auto s32 = bytes({0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x80});  // 2^29, -2^31
  decode_samples(SampleFormat::s32le, s32.data(), 2, out);
  EXPECT_FLOAT_EQ(out[0], 0.25f);
  EXPECT_FLOAT_EQ(out[1], -1.0f);
  const float values[2] = {0.125f, -0.75f};
  std::vector<std::byte> f32(8);
  std::memcpy(f32.data(), values, 8);
  decode_samples(SampleFormat::f32le, f32.data(), 2, out);
  EXPECT_EQ(out[0], 0.125f);
  EXPECT_EQ(out[1], -0.75f);
}

TEST(PcmDecoder, CarriesAFrameSplitAnywhere) {
  PcmDecoder decoder(SampleFormat::s16le, 2);  // 4-byte frames
  const auto stream = bytes({0x00, 0x40, 0x00, 0xC0, 0x00, 0x20, 0x00, 0xE0, 0x00, 0x10, 0x00, 0xF0});
  std::vector<float> out(4);
  // 5 bytes: one frame and one byte of the next.
  auto space = decoder.space_for(2);
  std::memcpy(space.data(), stream.data(), 5);
  ASSERT_EQ(decoder.commit(5, out), 1u);
  EXPECT_FLOAT_EQ(out[0], 0.5f);
  EXPECT_FLOAT_EQ(out[1], -0.5f);
  EXPECT_TRUE(decoder.has_partial_frame());
  // 2 more bytes: still no whole frame.
  space = decoder.space_for(2);
  EXPECT_EQ(space.size(), 7u);
  std::memcpy(space.data(), stream.data() + 5, 2);
  EXPECT_EQ(decoder.commit(2, out), 0u);
  // The rest: two frames.
  space = decoder.space_for(2);
  EXPECT_EQ(space.size(), 5u);
  std::memcpy(space.data(), stream.data() + 7, 5);
  ASSERT_EQ(decoder.commit(5, out), 2u);
  EXPECT_FLOAT_EQ(out[0], 0.25f);
  EXPECT_FLOAT_EQ(out[1], -0.25f);
  EXPECT_FLOAT_EQ(out[2], 0.125f);
  EXPECT_FLOAT_EQ(out[3], -0.125f);
  EXPECT_FALSE(decoder.has_partial_frame());
}

TEST(PcmDecoder, DropCarriedKeepsTheFreshBytes) {
  // A command restarted mid-frame: the stale half frame goes, the new run's bytes stay.
  PcmDecoder decoder(SampleFormat::s16le, 1);  // 2-byte frames
  std::vector<float> out(4);
  auto space = decoder.space_for(4);
  const std::byte stale[] = {std::byte{0x01}};
  std::memcpy(space.data(), stale, 1);
  EXPECT_EQ(decoder.commit(1, out), 0u);
  ASSERT_TRUE(decoder.has_partial_frame());
  space = decoder.space_for(4);
  const int16_t fresh[] = {8192, -8192};  // 0.25, -0.25
  std::memcpy(space.data(), fresh, sizeof fresh);
  decoder.drop_carried(sizeof fresh);
  ASSERT_EQ(decoder.commit(sizeof fresh, out), 2u);
  EXPECT_FLOAT_EQ(out[0], 0.25f);
  EXPECT_FLOAT_EQ(out[1], -0.25f);
  EXPECT_FALSE(decoder.has_partial_frame());
}

}  // namespace
}  // namespace levelcast
