#include "net/ws_frame.hpp"

#include <cstring>

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
  uint8_t key[8];
  for (size_t i = 0; i < 8; ++i) key[i] = mask[(phase + i) & 3];
  uint64_t word_key;
  std::memcpy(&word_key, key, 8);
  size_t i = 0;
  // Four independent words per step: the compiler keeps them in vector registers.
  for (; i + 32 <= length; i += 32) {
    uint64_t w[4];
    std::memcpy(w, data + i, 32);
    w[0] ^= word_key;
    w[1] ^= word_key;
    w[2] ^= word_key;
    w[3] ^= word_key;
    std::memcpy(data + i, w, 32);
  }
  for (; i + 8 <= length; i += 8) {
    uint64_t w;
    std::memcpy(&w, data + i, 8);
    w ^= word_key;
    std::memcpy(data + i, &w, 8);
  }
  for (; i < length; ++i) data[i] ^= key[i & 7];
}

SharedFrame* make_shared_frame(Opcode opcode, std::span<const uint8_t> payload, uint32_t refs,
                               uint64_t seq) {
  const size_t header = server_header_size(payload.size());
  SharedFrame* frame = SharedFrame::create(header + payload.size(), refs, seq);
  encode_server_header(frame->mutable_data(), opcode, payload.size());
  if (!payload.empty()) std::memcpy(frame->mutable_data() + header, payload.data(), payload.size());
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
