#include "net/ws_frame.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace levelcast {
namespace {

class FrameLength : public ::testing::TestWithParam<uint64_t> {};

TEST_P(FrameLength, EncodesAndParsesBack) {
  const uint64_t length = GetParam();
  std::vector<uint8_t> payload(length);
  std::iota(payload.begin(), payload.end(), uint8_t{0});
  SharedFrame* frame = make_shared_frame(Opcode::binary, payload, 1);
  const size_t expected_header = length < 126 ? 2 : (length <= 0xFFFF ? 4 : 10);
  ASSERT_EQ(frame->size(), expected_header + length);
  EXPECT_EQ(frame->data()[0], 0x82);  // FIN + binary
  FrameHeader h;
  ASSERT_EQ(parse_frame_header(frame->bytes(), h), HeaderParse::complete);
  EXPECT_TRUE(h.fin);
  EXPECT_FALSE(h.masked);
  EXPECT_EQ(h.payload_length, length);
  EXPECT_EQ(h.header_length, expected_header);
  EXPECT_TRUE(std::equal(payload.begin(), payload.end(), frame->data() + expected_header));
  frame->release();
}

INSTANTIATE_TEST_SUITE_P(Rfc6455Lengths, FrameLength,
                         ::testing::Values(0, 1, 125, 126, 127, 65535, 65536, 70000));

TEST(FrameHeader, NeedsMoreUntilComplete) {
  // Masked frame with a 16-bit length: 2 + 2 + 4 header bytes.
  const uint8_t bytes[] = {0x81, 0xFE, 0x01, 0x00, 1, 2, 3, 4};
  FrameHeader h;
  for (size_t n = 0; n < sizeof(bytes); ++n) {
    EXPECT_EQ(parse_frame_header({bytes, n}, h), HeaderParse::need_more) << n;
  }
  ASSERT_EQ(parse_frame_header(bytes, h), HeaderParse::complete);
  EXPECT_EQ(h.payload_length, 256u);
  EXPECT_TRUE(h.masked);
  EXPECT_EQ(h.mask[3], 4);
  EXPECT_EQ(h.header_length, 8);
}

TEST(FrameHeader, ReadsReservedBitsAndSixtyFourBitLength) {
  const uint8_t bytes[] = {0x7A, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 1};
  FrameHeader h;
  ASSERT_EQ(parse_frame_header(bytes, h), HeaderParse::complete);
  EXPECT_FALSE(h.fin);
  EXPECT_EQ(h.rsv, 7);
  EXPECT_EQ(h.opcode, 0xA);
  EXPECT_EQ(h.payload_length, (uint64_t{1} << 63) | 1);
}

TEST(Unmask, MatchesBytewiseAtEveryAlignmentLengthAndPhase) {
  const uint8_t mask[4] = {0x37, 0xFA, 0x21, 0x3D};
  std::vector<uint8_t> original(300);
  std::iota(original.begin(), original.end(), uint8_t{7});
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t length = 0; length < 100; length += (length < 40 ? 1 : 13)) {
      for (size_t phase = 0; phase < 4; ++phase) {
        std::vector<uint8_t> buffer = original;
        unmask(buffer.data() + offset, length, mask, phase);
        for (size_t i = 0; i < buffer.size(); ++i) {
          const bool inside = i >= offset && i < offset + length;
          const uint8_t want = inside ? original[i] ^ mask[(i - offset + phase) & 3] : original[i];
          ASSERT_EQ(buffer[i], want) << "offset " << offset << " length " << length << " i " << i;
        }
      }
    }
  }
}

TEST(CloseFrame, CarriesCodeAndReason) {
  std::string out;
  append_close_frame(out, CloseCode::going_away, "bye");
  ASSERT_EQ(out.size(), 2u + 2 + 3);
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 0x88);
  EXPECT_EQ(out[1], 5);
  EXPECT_EQ(static_cast<uint8_t>(out[2]), 1001 >> 8);
  EXPECT_EQ(static_cast<uint8_t>(out[3]), 1001 & 0xFF);
  EXPECT_EQ(out.substr(4), "bye");
}

TEST(CloseFrame, LongReasonIsTruncatedToAControlFrame) {
  std::string out;
  append_close_frame(out, CloseCode::normal, std::string(300, 'x'));
  EXPECT_EQ(out.size(), 2u + 125);
}

}  // namespace
}  // namespace levelcast
