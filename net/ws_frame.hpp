#pragma once
// RFC 6455 frame codec: pure functions, no syscalls, so tests, fuzzers and benchmarks use them
// alone (the uWebSockets way). Safe from any thread.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/shared_frame.hpp"

namespace levelcast {

enum class Opcode : uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

enum class CloseCode : uint16_t {
  normal = 1000,
  going_away = 1001,
  protocol_error = 1002,
  unsupported_data = 1003,
  no_status = 1005,  // never sent on the wire
  invalid_payload = 1007,
  policy_violation = 1008,
  message_too_big = 1009,
  internal_error = 1011,
};

inline bool is_control(uint8_t opcode) { return (opcode & 0x8) != 0; }

constexpr size_t kMaxFrameHeaderBytes = 14;        // 2 + 8 (length) + 4 (mask)
constexpr size_t kMaxServerHeaderBytes = 10;       // server frames are unmasked
constexpr size_t kMaxControlPayload = 125;

// A parsed frame header. 24 bytes.
struct FrameHeader {
  uint64_t payload_length = 0;
  uint8_t mask[4] = {0, 0, 0, 0};
  uint8_t opcode = 0;      // raw: may be a reserved value the caller must reject
  uint8_t rsv = 0;         // RSV1..RSV3 as bits 2..0
  uint8_t header_length = 0;
  bool fin = false;
  bool masked = false;
};

enum class HeaderParse { complete, need_more };

// Reads one frame header from the front of `in`. Does not judge it: validation is the caller's.
HeaderParse parse_frame_header(std::span<const uint8_t> in, FrameHeader& out);

// Size of an unmasked (server) header for a payload of this length: 2, 4 or 10.
size_t server_header_size(uint64_t payload_length);
// Writes an unmasked header into `out` (room for kMaxServerHeaderBytes); returns its size.
size_t encode_server_header(uint8_t* out, Opcode opcode, uint64_t payload_length, bool fin = true);

// XORs `data` with the 4-byte mask, starting at mask position `phase` (0..3), word at a time.
void unmask(uint8_t* data, size_t length, const uint8_t mask[4], size_t phase = 0);

// RSV1 in a frame's first byte: the message is compressed (permessage-deflate, RFC 7692).
inline constexpr uint8_t kRsv1 = 0x40;

// One whole server frame as a SharedFrame with `refs` references: the encode-once path.
// `rsv` is or-ed into the first byte (kRsv1 for a compressed message).
SharedFrame* make_shared_frame(Opcode opcode, std::span<const uint8_t> payload, uint32_t refs,
                               uint64_t seq = 0, uint8_t rsv = 0);
// Bytes that are not a WebSocket frame (an SSE event) as a SharedFrame, sent the same way.
SharedFrame* make_raw_shared_frame(std::span<const uint8_t> bytes, uint32_t refs, uint64_t seq = 0);
// Appends one whole server frame to a connection's own output bytes.
void append_frame(std::string& out, Opcode opcode, std::span<const uint8_t> payload);
// Appends a close frame with a code and a short reason (truncated to fit 125 bytes).
void append_close_frame(std::string& out, CloseCode code, std::string_view reason = {});
void append_close_frame(std::string& out, uint16_t code, std::string_view reason);

inline std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace levelcast
