#include "client_frame_writer.hpp"

#include <cstring>

namespace levelcast::load {

MaskKey MaskKey::from_bits(std::uint32_t bits) noexcept {
  MaskKey key;
  std::memcpy(key.bytes.data(), &bits, sizeof bits);
  return key;
}

std::size_t write_client_frame_header(char* out, Opcode opcode, std::uint64_t payload_size,
                                      MaskKey mask) noexcept {
  auto* bytes = reinterpret_cast<unsigned char*>(out);
  bytes[0] = static_cast<unsigned char>(0x80u | static_cast<unsigned>(opcode));
  std::size_t size = 2;
  if (payload_size < 126) {
    bytes[1] = static_cast<unsigned char>(0x80u | payload_size);
  } else if (payload_size <= 0xFFFF) {
    bytes[1] = 0x80u | 126u;
    bytes[2] = static_cast<unsigned char>(payload_size >> 8);
    bytes[3] = static_cast<unsigned char>(payload_size);
    size = 4;
  } else {
    bytes[1] = 0x80u | 127u;
    for (std::size_t i = 0; i < 8; ++i) {
      bytes[2 + i] = static_cast<unsigned char>(payload_size >> (56 - 8 * i));
    }
    size = 10;
  }
  std::memcpy(out + size, mask.bytes.data(), mask.bytes.size());
  return size + mask.bytes.size();
}

void mask_payload(char* data, std::size_t size, MaskKey mask) noexcept {
  // The key repeated in a word keeps byte i at key byte i % 4 for any word that starts at a
  // multiple of four, so the words can be xored whatever the machine's byte order.
  std::uint64_t pattern = 0;
  std::memcpy(&pattern, mask.bytes.data(), 4);
  std::memcpy(reinterpret_cast<char*>(&pattern) + 4, mask.bytes.data(), 4);
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + i, 8);
    word ^= pattern;
    std::memcpy(data + i, &word, 8);
  }
  for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ mask.bytes[i % 4]);
}

std::size_t write_client_frame(char* out, Opcode opcode, std::string_view payload,
                               MaskKey mask) noexcept {
  const std::size_t header_size = write_client_frame_header(out, opcode, payload.size(), mask);
  if (!payload.empty()) std::memcpy(out + header_size, payload.data(), payload.size());
  mask_payload(out + header_size, payload.size(), mask);
  return header_size + payload.size();
}

std::size_t write_close_frame(char* out, std::uint16_t status_code, MaskKey mask) noexcept {
  const char code[2] = {static_cast<char>(status_code >> 8), static_cast<char>(status_code)};
  return write_client_frame(out, Opcode::close, std::string_view(code, 2), mask);
}

}  // namespace levelcast::load
