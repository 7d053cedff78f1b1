#include "net/ws_frame.hpp"

#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace levelcast {

HeaderParse parse_frame_header(std::span<const uint8_t> in, FrameHeader& out) {
  if (in.size() < 2) return HeaderParse::need_more;
  const uint8_t b0 = in[0];
  const uint8_t b1 = in[1];
  out.fin = (b0 & 0x80) != 0;
  out.rsv = static_cast<uint8_t>((b0 >> 4) & 0x7);
  out.opcode = b0 & 0x0F;
  out.masked = (b1 & 0x80) != 0;
  const uint8_t len7 = b1 & 0x7F;
  size_t pos = 2;
  if (len7 < 126) {
    out.payload_length = len7;
  } else {
    const size_t extra = len7 == 126 ? 2 : 8;
    if (in.size() < pos + extra) return HeaderParse::need_more;
    uint64_t length = 0;
    for (size_t i = 0; i < extra; ++i) length = (length << 8) | in[pos + i];
    out.payload_length = length;
    pos += extra;
  }
  if (out.masked) {
    if (in.size() < pos + 4) return HeaderParse::need_more;
    std::memcpy(out.mask, &in[pos], 4);
    pos += 4;
  }
  out.header_length = static_cast<uint8_t>(pos);
  return HeaderParse::complete;
}

size_t server_header_size(uint64_t payload_length) {
  if (payload_length < 126) return 2;
  return payload_length <= 0xFFFF ? 4 : 10;
}

size_t encode_server_header(uint8_t* out, Opcode opcode, uint64_t payload_length, bool fin) {
  out[0] = static_cast<uint8_t>((fin ? 0x80 : 0x00) | static_cast<uint8_t>(opcode));
  if (payload_length < 126) {
    out[1] = static_cast<uint8_t>(payload_length);
    return 2;
  }
  if (payload_length <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<uint8_t>(payload_length >> 8);
    out[3] = static_cast<uint8_t>(payload_length);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<uint8_t>(payload_length >> (56 - 8 * i));
  return 10;
}

void unmask(uint8_t* data, size_t length, const uint8_t mask[4], size_t phase) {
  // The mask as a word whose first byte in memory is mask[phase]. Every step below covers a
  // multiple of 4 bytes, so the same key lines up at each step.
  uint32_t key;
  std::memcpy(&key, mask, 4);
  const int shift = static_cast<int>(8 * (phase & 3));
  key = std::endian::native == std::endian::little ? std::rotr(key, shift) : std::rotl(key, shift);
  size_t i = 0;
#if defined(__SSE2__)
  // SSE2 is baseline on x86-64: 64 bytes per step in four independent registers.
  const __m128i key16 = _mm_set1_epi32(static_cast<int>(key));
  const auto xor16 = [data, key16](size_t at) {
    auto* p = reinterpret_cast<__m128i*>(data + at);
    _mm_storeu_si128(p, _mm_xor_si128(_mm_loadu_si128(p), key16));
  };
  for (; i + 64 <= length; i += 64) {
    xor16(i);
    xor16(i + 16);
    xor16(i + 32);
    xor16(i + 48);
  }
  for (; i + 16 <= length; i += 16) xor16(i);
#endif
  const uint64_t key8 = (uint64_t{key} << 32) | key;
  for (; i + 8 <= length; i += 8) {
    uint64_t w;
    std::memcpy(&w, data + i, 8);
    w ^= key8;
    std::memcpy(data + i, &w, 8);
  }
  if (i + 4 <= length) {
    uint32_t w;
    std::memcpy(&w, data + i, 4);
    w ^= key;
    std::memcpy(data + i, &w, 4);
    i += 4;
  }
  for (; i < length; ++i) data[i] ^= mask[(phase + i) & 3];
}

SharedFrame* make_shared_frame(Opcode opcode, std::span<const uint8_t> payload, uint32_t refs,
                               uint64_t seq, uint8_t rsv) {
  const size_t header = server_header_size(payload.size());
  SharedFrame* frame = SharedFrame::create(header + payload.size(), refs, seq);
  encode_server_header(frame->mutable_data(), opcode, payload.size());
  frame->mutable_data()[0] |= rsv;
  if (!payload.empty()) std::memcpy(frame->mutable_data() + header, payload.data(), payload.size());
  return frame;
}

SharedFrame* make_raw_shared_frame(std::span<const uint8_t> bytes, uint32_t refs, uint64_t seq) {
  SharedFrame* frame = SharedFrame::create(bytes.size(), refs, seq);
  if (!bytes.empty()) std::memcpy(frame->mutable_data(), bytes.data(), bytes.size());
  return frame;
}

void append_frame(std::string& out, Opcode opcode, std::span<const uint8_t> payload) {
  uint8_t header[kMaxServerHeaderBytes];
  const size_t n = encode_server_header(header, opcode, payload.size());
  out.append(reinterpret_cast<const char*>(header), n);
  // An empty span may have a null data(): never hand that to append/memcpy.
  if (!payload.empty()) out.append(reinterpret_cast<const char*>(payload.data()), payload.size());
}

void append_close_frame(std::string& out, uint16_t code, std::string_view reason) {
  uint8_t payload[kMaxControlPayload];
  payload[0] = static_cast<uint8_t>(code >> 8);
  payload[1] = static_cast<uint8_t>(code);
  const size_t reason_len = std::min(reason.size(), kMaxControlPayload - 2);
  if (reason_len > 0) std::memcpy(payload + 2, reason.data(), reason_len);
  append_frame(out, Opcode::close, {payload, 2 + reason_len});
}

void append_close_frame(std::string& out, CloseCode code, std::string_view reason) {
  append_close_frame(out, static_cast<uint16_t>(code), reason);
}

}  // namespace levelcast
