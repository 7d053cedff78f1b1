#include "net/ws_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace levelcast {
namespace {

// Builds a masked client frame.
std::vector<uint8_t> client_frame(uint8_t first_byte, const std::string& payload,
                                  const uint8_t mask[4] = nullptr) {
  static const uint8_t kMask[4] = {0xA1, 0xB2, 0xC3, 0xD4};
  if (mask == nullptr) mask = kMask;
  std::vector<uint8_t> out{first_byte};
  const size_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<uint8_t>(0x80 | n));
  } else {
    out.push_back(0x80 | 126);
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
  }
  out.insert(out.end(), mask, mask + 4);
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(payload[i]) ^ mask[i & 3]);
  return out;
}

struct Recorder {
  std::vector<std::pair<Opcode, std::string>> messages;
  std::vector<std::string> pings;
  int close_code = 0;
  int error_code = 0;
  bool on_message(Opcode op, std::span<uint8_t> p) {
    messages.emplace_back(op, std::string(p.begin(), p.end()));
    return true;
  }
  bool on_ping(std::span<uint8_t> p) {
    pings.emplace_back(p.begin(), p.end());
    return true;
  }
  bool on_pong(std::span<uint8_t>) { return true; }
  bool on_close(uint16_t code, std::string_view) {
    close_code = code;
    return false;
  }
  void on_protocol_error(CloseCode code, std::string_view) { error_code = static_cast<int>(code); }
};

Recorder run(std::vector<uint8_t> input, uint64_t max_message = 1 << 20) {
  Recorder r;
  MessageAssembly m;
  read_frames(input, m, max_message, r);
  return r;
}

std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(WsReader, UnmasksAndDeliversWholeMessages) {
  const Recorder r = run(concat({client_frame(0x81, "hello"), client_frame(0x82, std::string(300, 'b'))}));
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(r.messages[0].second, "hello");
  EXPECT_EQ(r.messages[1].first, Opcode::binary);
  EXPECT_EQ(r.messages[1].second, std::string(300, 'b'));
}

TEST(WsReader, ReassemblesFragmentsWithAPingBetween) {
  const Recorder r = run(concat({client_frame(0x01, "frag"), client_frame(0x89, "p"),
                                 client_frame(0x00, "men"), client_frame(0x80, "ted")}));
  ASSERT_EQ(r.pings.size(), 1u);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].second, "fragmented");
}

TEST(WsReader, LeavesAPartialFrameUnconsumed) {
  const auto frame = client_frame(0x81, "partial");
  Recorder r;
  MessageAssembly m;
  std::vector<uint8_t> head(frame.begin(), frame.end() - 1);
  EXPECT_EQ(read_frames(head, m, 1 << 20, r), 0u);
  EXPECT_TRUE(r.messages.empty());
}

TEST(WsReader, ProtocolErrors) {
  EXPECT_EQ(run({0x81, 0x00}).error_code, 1002);                        // unmasked
  EXPECT_EQ(run(client_frame(0xC1, "x")).error_code, 1002);             // RSV1
  EXPECT_EQ(run(client_frame(0x83, "x")).error_code, 1002);             // reserved opcode
  EXPECT_EQ(run(client_frame(0x09, "")).error_code, 1002);              // fragmented ping
  EXPECT_EQ(run(client_frame(0x89, std::string(126, 'p'))).error_code, 1002);
  EXPECT_EQ(run(client_frame(0x80, "x")).error_code, 1002);             // continuation first
  EXPECT_EQ(run(concat({client_frame(0x01, "a"), client_frame(0x81, "b")})).error_code, 1002);
  EXPECT_EQ(run(client_frame(0x81, "\xC0\xAF")).error_code, 1007);
  EXPECT_EQ(run(client_frame(0x88, "\x03")).error_code, 1002);          // 1-byte close
  EXPECT_EQ(run(client_frame(0x88, std::string("\x03\xED", 2))).error_code, 1002);  // code 1005
  EXPECT_EQ(run(client_frame(0x88, "\x03\xE8\xC0\xAF")).error_code, 1007);
}

TEST(WsReader, InvalidUtf8FailsBeforeTheFrameIsComplete) {
  auto frame = client_frame(0x81, "ok \xED\xA0\x80 and much more text that has not arrived yet");
  frame.resize(6 + 5);  // header, mask and "ok \xED\xA0"
  EXPECT_EQ(run(frame).error_code, 1007);
}

TEST(WsReader, NothingIsParsedAfterAFailFastError) {
  // Found by fuzzing: a UTF-8 error inside a partly arrived frame left frame_done set, and a
  // later call unmasked past the end of a shorter input.
  Recorder r;
  MessageAssembly m;
  std::vector<uint8_t> partial{0x81, 0x8A, 0, 0, 0, 0, 'a', 'b', 'c', 'd', 0xFF};
  EXPECT_EQ(read_frames(partial, m, 4096, r), partial.size());
  EXPECT_EQ(r.error_code, 1007);
  std::vector<uint8_t> next{0x81, 0x82, 0, 0, 0, 0, 'h', 'i'};
  EXPECT_EQ(read_frames(next, m, 4096, r), next.size());
  EXPECT_TRUE(r.messages.empty());
  EXPECT_TRUE(m.finished);
}

TEST(WsReader, NothingIsParsedAfterAClose) {
  Recorder r;
  MessageAssembly m;
  auto after_close = client_frame(0x88, "\x03\xE8");
  const auto more = client_frame(0x81, "late");
  after_close.insert(after_close.end(), more.begin(), more.end());
  read_frames(after_close, m, 4096, r);
  auto again = client_frame(0x81, "later");
  read_frames(again, m, 4096, r);
  EXPECT_EQ(r.close_code, 1000);
  EXPECT_TRUE(r.messages.empty());
}

TEST(WsReader, AFrameArrivingByteByByteIsUnmaskedOnce) {
  const std::string text = "caf\xC3\xA9 \xF0\x9F\x8E\xB5 byte by byte";
  const auto frame = client_frame(0x81, text);
  Recorder r;
  MessageAssembly m;
  std::vector<uint8_t> received;
  for (uint8_t byte : frame) {
    received.push_back(byte);
    const size_t used = read_frames(received, m, 1 << 20, r);
    received.erase(received.begin(), received.begin() + static_cast<long>(used));
  }
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].second, text);
  EXPECT_EQ(r.error_code, 0);
}

TEST(WsReader, MessageTooBigIsJudgedOnTheDeclaredLength) {
  // Only the header of a 1000-byte frame: rejected before any payload arrives.
  auto frame = client_frame(0x82, std::string(1000, 'x'));
  frame.resize(8);
  EXPECT_EQ(run(frame, 999).error_code, 1009);
  EXPECT_EQ(run(concat({client_frame(0x02, std::string(600, 'x')), client_frame(0x80, std::string(600, 'x'))}), 1000)
                .error_code,
            1009);
}

TEST(WsReader, CloseCodes) {
  EXPECT_EQ(run(client_frame(0x88, "")).close_code, 1005);
  EXPECT_EQ(run(client_frame(0x88, "\x03\xE8" "bye")).close_code, 1000);
  EXPECT_EQ(run(client_frame(0x88, "\x0F\xA0")).close_code, 4000);
  for (int bad : {0, 999, 1004, 1006, 1015, 1016, 2999, 5000}) {
    const std::string payload{static_cast<char>(bad >> 8), static_cast<char>(bad & 0xFF)};
    EXPECT_EQ(run(client_frame(0x88, payload)).error_code, 1002) << bad;
  }
}

}  // namespace
}  // namespace levelcast
