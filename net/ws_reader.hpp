#pragma once
// Reads client frames out of received bytes: validates each header against RFC 6455, unmasks in
// place, reassembles fragmented messages, checks UTF-8, and calls the handler. Pure: no syscalls,
// the handler is a template policy, so tests, fuzzers and benchmarks drive it alone.
//
// Handler policy (each returns false to stop reading, e.g. once closing):
//   bool on_message(Opcode opcode, std::span<uint8_t> payload);   // whole message
//   bool on_compressed_message(Opcode opcode, std::span<uint8_t> payload);
//       // whole message with RSV1 (permessage-deflate): still compressed, UTF-8 not yet checked;
//       // needed only by handlers that set MessageAssembly::deflate
//   bool on_ping(std::span<uint8_t> payload);
//   bool on_pong(std::span<uint8_t> payload);
//   bool on_close(uint16_t code, std::string_view reason);        // code 1005: none given
//   void on_protocol_error(CloseCode code, std::string_view why);  // then nothing more is read
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "net/utf8.hpp"
#include "net/ws_frame.hpp"

namespace levelcast {

// One connection's incoming-message state. 48 bytes + the buffer while fragments arrive.
struct MessageAssembly {
  std::string buffer;       // payload of a fragmented message so far
  uint64_t frame_done = 0;  // payload bytes of the frame at the front already unmasked and checked
  Utf8Validator utf8;       // text validation across fragments and partial frames
  uint8_t opcode = 0;       // opcode of the open fragmented message, 0 when none
  bool finished = false;    // a close or a protocol error ended reading: nothing more is parsed
  bool deflate = false;     // permessage-deflate negotiated: RSV1 allowed on a message's first frame
  bool compressed = false;  // the open fragmented message has RSV1
  bool open() const { return opcode != 0; }
};

struct FrameVerdict {
  CloseCode code;
  std::string_view why;  // empty when the header is acceptable
};

// Judges a header before its payload arrives: masking, reserved bits and opcodes, control frame
// rules, fragmentation order, and the message size limit against the declared length.
FrameVerdict check_frame_header(const FrameHeader& h, const MessageAssembly& message,
                                uint64_t max_message);

bool is_valid_close_code(uint16_t code);

namespace detail {
template <typename Handler>
bool dispatch_close(std::span<uint8_t> payload, Handler& handler) {
  if (payload.empty()) return handler.on_close(static_cast<uint16_t>(CloseCode::no_status), {});
  if (payload.size() == 1) {
    handler.on_protocol_error(CloseCode::protocol_error, "close payload of one byte");
    return false;
  }
  const auto code = static_cast<uint16_t>((payload[0] << 8) | payload[1]);
  if (!is_valid_close_code(code)) {
    handler.on_protocol_error(CloseCode::protocol_error, "invalid close code");
    return false;
  }
  const auto reason = payload.subspan(2);
  if (!is_valid_utf8(reason)) {
    handler.on_protocol_error(CloseCode::invalid_payload, "close reason is not UTF-8");
    return false;
  }
  return handler.on_close(code, {reinterpret_cast<const char*>(reason.data()), reason.size()});
}

// Whether the frame belongs to a compressed message (RSV1 on the message's first frame).
inline bool in_compressed_message(const FrameHeader& h, const MessageAssembly& message) {
  return h.opcode == static_cast<uint8_t>(Opcode::continuation) ? message.compressed : (h.rsv & 4) != 0;
}

template <typename Handler>
bool deliver(Handler& handler, Opcode opcode, std::span<uint8_t> payload, bool compressed) {
  if (!compressed) return handler.on_message(opcode, payload);
  if constexpr (requires { handler.on_compressed_message(opcode, payload); }) {
    return handler.on_compressed_message(opcode, payload);
  } else {
    handler.on_protocol_error(CloseCode::protocol_error, "compressed message not negotiated");
    return false;
  }
}

template <typename Handler>
bool dispatch_data(const FrameHeader& h, std::span<uint8_t> payload, MessageAssembly& message,
                   Handler& handler) {
  const bool starts = h.opcode != static_cast<uint8_t>(Opcode::continuation);
  const uint8_t opcode = starts ? h.opcode : message.opcode;
  const bool text = opcode == static_cast<uint8_t>(Opcode::text);
  const bool compressed = in_compressed_message(h, message);
  // The payload's UTF-8 was checked as it arrived (read_frames); only the ending is left. A
  // compressed message is checked once inflated, by the handler.
  if (h.fin && text && !compressed && !message.utf8.at_boundary()) {
    handler.on_protocol_error(CloseCode::invalid_payload, "text ends inside a UTF-8 sequence");
    return false;
  }
  if (starts && h.fin) return deliver(handler, static_cast<Opcode>(opcode), payload, compressed);
  if (starts) {
    message.opcode = opcode;
    message.compressed = compressed;
  }
  message.buffer.append(reinterpret_cast<const char*>(payload.data()), payload.size());
  if (!h.fin) return true;
  std::string whole;
  whole.swap(message.buffer);
  message.opcode = 0;
  message.compressed = false;
  return deliver(handler, static_cast<Opcode>(opcode),
                 {reinterpret_cast<uint8_t*>(whole.data()), whole.size()}, compressed);
}

template <typename Handler>
bool dispatch(const FrameHeader& h, std::span<uint8_t> payload, MessageAssembly& message,
              Handler& handler) {
  switch (static_cast<Opcode>(h.opcode)) {
    case Opcode::ping: return handler.on_ping(payload);
    case Opcode::pong: return handler.on_pong(payload);
    case Opcode::close: return dispatch_close(payload, handler);
    default: return dispatch_data(h, payload, message, handler);
  }
}
}  // namespace detail

// Unmasks the payload bytes of the front frame that arrived since the last call and, in a text
// message, checks their UTF-8 at once: an invalid byte fails the connection before the rest of
// the frame arrives. False after a protocol error.
template <typename Handler>
bool absorb_arrived(const FrameHeader& h, std::span<uint8_t> arrived, MessageAssembly& message,
                    Handler& handler) {
  const auto fresh = arrived.subspan(message.frame_done);
  unmask(fresh.data(), fresh.size(), h.mask, message.frame_done & 3);
  const bool starts_text = h.opcode == static_cast<uint8_t>(Opcode::text);
  if (starts_text && message.frame_done == 0) message.utf8.reset();
  const bool in_text = (starts_text || (h.opcode == static_cast<uint8_t>(Opcode::continuation) &&
                                        message.opcode == static_cast<uint8_t>(Opcode::text))) &&
                       !detail::in_compressed_message(h, message);
  message.frame_done = arrived.size();
  if (in_text && !message.utf8.feed(fresh)) {
    handler.on_protocol_error(CloseCode::invalid_payload, "text is not UTF-8");
    return false;
  }
  return true;
}

// Consumes whole frames from the front of `input`; returns the bytes consumed. A partial frame
// at the end is left (unmasked as far as it arrived) for the next call, with more bytes appended.
// Once a close or a protocol error has ended reading, every later call consumes its input and
// reports nothing: the stream can no longer be parsed, and half-absorbed state (frame_done)
// must never be applied to other bytes.
template <typename Handler>
size_t read_frames(std::span<uint8_t> input, MessageAssembly& message, uint64_t max_message,
                   Handler& handler) {
  const auto finish = [&message, &input] {
    message.finished = true;
    message.frame_done = 0;
    return input.size();
  };
  if (message.finished) return input.size();
  size_t pos = 0;
  while (pos < input.size()) {
    FrameHeader h;
    if (parse_frame_header(input.subspan(pos), h) == HeaderParse::need_more) break;
    if (const FrameVerdict v = check_frame_header(h, message, max_message); !v.why.empty()) {
      handler.on_protocol_error(v.code, v.why);
      return finish();
    }
    const size_t available = input.size() - pos - h.header_length;
    const auto arrived = input.subspan(pos + h.header_length,
                                       std::min<uint64_t>(available, h.payload_length));
    if (!absorb_arrived(h, arrived, message, handler)) return finish();
    if (arrived.size() < h.payload_length) break;
    message.frame_done = 0;
    pos += h.header_length + h.payload_length;
    if (!detail::dispatch(h, arrived, message, handler)) return finish();
  }
  return pos;
}

}  // namespace levelcast
