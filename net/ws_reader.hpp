#pragma once
// Reads client frames out of received bytes: validates each header against RFC 6455, unmasks in
// place, reassembles fragmented messages, checks UTF-8, and calls the handler. Pure: no syscalls,
// the handler is a template policy, so tests, fuzzers and benchmarks drive it alone.
//
// Handler policy (each returns false to stop reading, e.g. once closing):
//   bool on_message(Opcode opcode, std::span<uint8_t> payload);   // whole message
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

// One connection's incoming-message state. 40 bytes + the buffer while fragments arrive.
struct MessageAssembly {
  std::string buffer;    // payload of a fragmented message so far
  Utf8Validator utf8;    // text validation across fragments
  uint8_t opcode = 0;    // opcode of the open fragmented message, 0 when none
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

template <typename Handler>
bool dispatch_data(const FrameHeader& h, std::span<uint8_t> payload, MessageAssembly& message,
                   Handler& handler) {
  const bool starts = h.opcode != static_cast<uint8_t>(Opcode::continuation);
  const uint8_t opcode = starts ? h.opcode : message.opcode;
  const bool text = opcode == static_cast<uint8_t>(Opcode::text);
  if (starts) message.utf8.reset();
  if (text && !message.utf8.feed(payload)) {
    handler.on_protocol_error(CloseCode::invalid_payload, "text is not UTF-8");
    return false;
  }
  if (h.fin && text && !message.utf8.at_boundary()) {
    handler.on_protocol_error(CloseCode::invalid_payload, "text ends inside a UTF-8 sequence");
    return false;
  }
  if (starts && h.fin) return handler.on_message(static_cast<Opcode>(opcode), payload);
  if (starts) message.opcode = opcode;
  message.buffer.append(reinterpret_cast<const char*>(payload.data()), payload.size());
  if (!h.fin) return true;
  std::string whole;
  whole.swap(message.buffer);
  message.opcode = 0;
  return handler.on_message(static_cast<Opcode>(opcode),
                            {reinterpret_cast<uint8_t*>(whole.data()), whole.size()});
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

// Consumes whole frames from the front of `input`; returns the bytes consumed. A partial frame
// at the end is left for the next call (with more bytes appended).
template <typename Handler>
size_t read_frames(std::span<uint8_t> input, MessageAssembly& message, uint64_t max_message,
                   Handler& handler) {
  size_t pos = 0;
  while (pos < input.size()) {
    FrameHeader h;
    if (parse_frame_header(input.subspan(pos), h) == HeaderParse::need_more) break;
    if (const FrameVerdict v = check_frame_header(h, message, max_message); !v.why.empty()) {
      handler.on_protocol_error(v.code, v.why);
      return input.size();
    }
    if (input.size() - pos - h.header_length < h.payload_length) break;
    const auto payload = input.subspan(pos + h.header_length, h.payload_length);
    unmask(payload.data(), payload.size(), h.mask);
    pos += h.header_length + h.payload_length;
    if (!detail::dispatch(h, payload, message, handler)) return input.size();
  }
  return pos;
}

}  // namespace levelcast
