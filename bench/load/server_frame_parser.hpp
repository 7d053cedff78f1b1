#pragma once
// Decoding of the frames a WebSocket server sends (RFC 6455 section 5.2): unmasked, with RSV1
// (a permessage-deflate message) allowed on data frames when the caller offered it. Pure functions over a caller-owned byte range: no syscalls, no
// allocation and no state kept between calls; the caller keeps an incomplete tail and presents
// it again, followed by more bytes, on the next call. Safe from any thread.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace levelcast::load {

enum class Opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

// A larger frame is a protocol error: the load client would have to buffer all of it.
inline constexpr std::uint64_t kMaxServerPayload = std::uint64_t{64} << 20;
inline constexpr std::size_t kMaxControlPayload = 125;

struct ServerFrame {
  Opcode opcode;
  bool fin;
  std::string_view payload;  // points into the bytes given to the decoder
  bool compressed = false;   // RSV1: a permessage-deflate message
};

enum class FrameStatus : std::uint8_t { complete, incomplete, protocol_error };

struct FrameDecode {
  FrameStatus status;
  // complete: header plus payload; incomplete: the whole frame's size once the header is in,
  // 0 before that.
  std::size_t frame_size;
  ServerFrame frame;
};

namespace detail {

constexpr bool is_known_opcode(unsigned opcode) noexcept {
  return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

inline std::uint64_t read_big_endian(std::string_view bytes, std::size_t offset,
                                     std::size_t width) noexcept {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    value = (value << 8) | static_cast<std::uint8_t>(bytes[offset + i]);
  }
  return value;
}

}  // namespace detail

// Decodes the frame at the start of `bytes`.
inline FrameDecode decode_server_frame(std::string_view bytes, bool allow_rsv1 = false) noexcept {
  FrameDecode result{FrameStatus::incomplete, 0, {Opcode::continuation, false, {}}};
  if (bytes.size() < 2) return result;
  const auto byte0 = static_cast<std::uint8_t>(bytes[0]);
  const auto byte1 = static_cast<std::uint8_t>(bytes[1]);
  const unsigned opcode = byte0 & 0x0Fu;
  const bool fin = (byte0 & 0x80u) != 0;
  // Reserved bits without a negotiated extension, or a masked server frame, are errors.
  const unsigned allowed = allow_rsv1 && (opcode == 0x1 || opcode == 0x2) ? 0x40u : 0u;
  if ((byte0 & 0x70u & ~allowed) != 0 || (byte1 & 0x80u) != 0 || !detail::is_known_opcode(opcode)) {
    result.status = FrameStatus::protocol_error;
    return result;
  }
  std::uint64_t payload_size = byte1 & 0x7Fu;
  std::size_t header_size = 2;
  if (payload_size == 126) {
    header_size = 4;
  } else if (payload_size == 127) {
    header_size = 10;
  }
  if (bytes.size() < header_size) return result;
  if (header_size > 2) payload_size = detail::read_big_endian(bytes, 2, header_size - 2);
  const bool control = opcode >= 0x8;
  if ((control && (!fin || payload_size > kMaxControlPayload)) ||
      payload_size > kMaxServerPayload) {
    result.status = FrameStatus::protocol_error;
    return result;
  }
  result.frame_size = header_size + static_cast<std::size_t>(payload_size);
  if (bytes.size() < result.frame_size) return result;
  result.status = FrameStatus::complete;
  result.frame = {static_cast<Opcode>(opcode), fin,
                  bytes.substr(header_size, static_cast<std::size_t>(payload_size)),
                  (byte0 & 0x40u) != 0};
  return result;
}

struct FrameScan {
  std::size_t consumed = 0;            // bytes of the complete frames handed to the sink
  std::size_t pending_frame_size = 0;  // size of the incomplete frame after them, 0 if unknown
  bool protocol_error = false;
};

// Hands every complete frame at the front of `bytes` to `sink(const ServerFrame&)`, in order,
// and stops early when the sink returns false.
template <class FrameSink>
FrameScan scan_server_frames(std::string_view bytes, FrameSink&& sink, bool allow_rsv1 = false) {
  FrameScan scan;
  while (scan.consumed < bytes.size()) {
    const FrameDecode decoded = decode_server_frame(bytes.substr(scan.consumed), allow_rsv1);
    if (decoded.status == FrameStatus::protocol_error) {
      scan.protocol_error = true;
      return scan;
    }
    if (decoded.status == FrameStatus::incomplete) {
      scan.pending_frame_size = decoded.frame_size;
      return scan;
    }
    scan.consumed += decoded.frame_size;
    if (!sink(decoded.frame)) return scan;
  }
  return scan;
}

}  // namespace levelcast::load
