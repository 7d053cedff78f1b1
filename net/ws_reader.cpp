#include "net/ws_reader.hpp"

namespace levelcast {

bool is_valid_close_code(uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;  // registered and private use
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}

FrameVerdict check_frame_header(const FrameHeader& h, const MessageAssembly& message,
                                uint64_t max_message) {
  const auto error = [](std::string_view why) { return FrameVerdict{CloseCode::protocol_error, why}; };
  if (!h.masked) return error("client frames must be masked");
  if (h.rsv != 0) {
    // permessage-deflate gives RSV1 a meaning on the first frame of a data message only.
    if (h.rsv != 4 || !message.deflate) return error("reserved bits set without an extension");
    if (is_control(h.opcode)) return error("RSV1 on a control frame");
    if (h.opcode == static_cast<uint8_t>(Opcode::continuation)) return error("RSV1 on a continuation frame");
  }
  if ((h.opcode >= 3 && h.opcode <= 7) || h.opcode >= 11) return error("reserved opcode");
  if (h.payload_length >> 63) return error("64-bit length with the top bit set");
  if (is_control(h.opcode)) {
    if (!h.fin) return error("fragmented control frame");
    if (h.payload_length > kMaxControlPayload) return error("control frame over 125 bytes");
    return {CloseCode::normal, {}};
  }
  const bool continuation = h.opcode == static_cast<uint8_t>(Opcode::continuation);
  if (continuation && !message.open()) return error("continuation without a message");
  if (!continuation && message.open()) return error("new message inside a fragmented one");
  const uint64_t so_far = continuation ? message.buffer.size() : 0;
  if (h.payload_length > max_message || so_far + h.payload_length > max_message) {
    return {CloseCode::message_too_big, "message too big"};
  }
  return {CloseCode::normal, {}};
}

}  // namespace levelcast
