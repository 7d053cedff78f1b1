#pragma once
// Encoding of the frames a WebSocket client sends (RFC 6455 section 5.3): every payload is
// masked with the connection's key. Pure functions writing into caller-owned memory; safe from
// any thread.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server_frame_parser.hpp"

namespace levelcast::load {

inline constexpr std::size_t kMaxClientHeaderSize = 14;  // 2 + 8 length bytes + 4 mask bytes

// The four mask bytes in wire order; payload byte i is xored with bytes[i % 4].
struct MaskKey {
  std::array<char, 4> bytes{};

  static MaskKey from_bits(std::uint32_t bits) noexcept;
};

constexpr std::size_t client_frame_size(std::size_t payload_size) noexcept {
  const std::size_t length_bytes = payload_size < 126 ? 0 : payload_size <= 0xFFFF ? 2 : 8;
  return 2 + length_bytes + 4 + payload_size;
}

// Writes a final frame's header and mask key; returns the header size.
std::size_t write_client_frame_header(char* out, Opcode opcode, std::uint64_t payload_size,
                                      MaskKey mask) noexcept;

// Masks n bytes in place, eight at a time.
void mask_payload(char* data, std::size_t size, MaskKey mask) noexcept;

// Writes a whole final frame: header, then `payload` masked. Returns the frame size.
std::size_t write_client_frame(char* out, Opcode opcode, std::string_view payload,
                               MaskKey mask) noexcept;

// Writes a close frame carrying `status_code` (1000 for a normal close).
std::size_t write_close_frame(char* out, std::uint16_t status_code, MaskKey mask) noexcept;

}  // namespace levelcast::load
