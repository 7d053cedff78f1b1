// Fuzzes read_frames (net/ws_reader.hpp) the way a worker drives it (net/worker_io.cpp
// process_input): bytes arrive in chunks, each in a read buffer of its own, and the unconsumed
// tail of one call is kept and the next chunk appended to it. Checks, on every call: nothing is
// consumed beyond the input; after a protocol error or a close nothing more is reported and the
// whole input counts as consumed; messages are text or binary within max_message, text is valid
// UTF-8 by the reference validator, control payloads fit 125 bytes, close codes are valid. And
// across calls: the events do not depend on how the bytes were chunked (they equal one call over
// the whole stream).
//
// Input: [flags] [chunk lengths...] [client bytes...]
//   flags bits 0-2: max_message (kMaxMessage); bit 3: keep feeding after a close or an error (a
//   worker does so while its close frame has not been flushed); bits 4-7: number of chunk
//   lengths, cycled (none: one chunk). A length byte b is b + 1 below 0xF0, else (b - 0xEF) * 256.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/ws_reader.hpp"
#include "tests/fuzz/invariant.hpp"
#include "tests/fuzz/utf8_reference.hpp"

namespace {

using namespace levelcast;
using fuzz::require;


struct Event {
  enum class Kind : uint8_t { message, ping, pong, close, error } kind;
  int code;  // opcode, close code or error close code
  std::string bytes;
  bool operator==(const Event&) const = default;
};

std::string to_string(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Records what read_frames reports and checks each report as it comes.
struct EventRecorder {
  uint64_t max_message = 0;
  std::vector<Event> events;
  bool stopped = false;  // a close or an error in the current read_frames call

  bool on_message(Opcode opcode, std::span<uint8_t> payload) {
    require(!stopped, "a message after a close or an error");
    require(opcode == Opcode::text || opcode == Opcode::binary, "a message with a bad opcode");
    require(payload.size() <= max_message, "a message over max_message");
    if (opcode == Opcode::text) require(fuzz::utf8_valid(payload), "a text message that is not UTF-8");
    events.push_back({Event::Kind::message, static_cast<int>(opcode), to_string(payload)});
    return true;
  }
  // permessage-deflate: still compressed, so its UTF-8 is not the reader's to check.
  bool on_compressed_message(Opcode opcode, std::span<uint8_t> payload) {
    require(!stopped, "a message after a close or an error");
    require(opcode == Opcode::text || opcode == Opcode::binary, "a message with a bad opcode");
    require(payload.size() <= max_message, "a message over max_message");
    events.push_back({Event::Kind::message, 100 + static_cast<int>(opcode), to_string(payload)});
    return true;
  }
  bool on_ping(std::span<uint8_t> payload) { return control(Event::Kind::ping, payload); }
  bool on_pong(std::span<uint8_t> payload) { return control(Event::Kind::pong, payload); }
  bool on_close(uint16_t code, std::string_view reason) {
    require(!stopped, "a close after a close or an error");
    const bool none = code == static_cast<uint16_t>(CloseCode::no_status);
    require(none ? reason.empty() : is_valid_close_code(code), "a close with a bad code");
    require(reason.size() <= kMaxControlPayload - 2, "a close reason over 123 bytes");
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(reason.data()), reason.size());
    require(fuzz::utf8_valid(bytes), "a close reason that is not UTF-8");
    events.push_back({Event::Kind::close, code, std::string(reason)});
    stopped = true;
    return false;  // as the worker: a close ends reading
  }
  void on_protocol_error(CloseCode code, std::string_view why) {
    require(!stopped, "an error after a close or an error");
    require(!why.empty(), "an error without a reason");
    events.push_back({Event::Kind::error, static_cast<int>(code), std::string(why)});
    stopped = true;
  }

 private:
  bool control(Event::Kind kind, std::span<uint8_t> payload) {
    require(!stopped, "a control frame after a close or an error");
    require(payload.size() <= kMaxControlPayload, "a control payload over 125 bytes");
    events.push_back({kind, 0, to_string(payload)});
    return true;
  }
};

struct Plan {
  uint64_t max_message;
  bool feed_after_stop;
  std::span<const uint8_t> lengths;  // chunk lengths as coded in the input
  std::span<const uint8_t> stream;
};

size_t chunk_length(uint8_t code) { return code < 0xF0 ? code + 1u : (code - 0xEFu) * 256u; }

// Feeds the stream in chunks as process_input does; returns the events.
std::vector<Event> run(const Plan& plan, bool chunked, bool deflate) {
  EventRecorder recorder;
  recorder.max_message = plan.max_message;
  MessageAssembly message;
  message.deflate = deflate;
  std::string tail;  // the connection's unconsumed input
  bool closed = false;
  size_t pos = 0;
  for (size_t turn = 0; pos < plan.stream.size(); ++turn) {
    size_t n = plan.stream.size() - pos;
    if (chunked && !plan.lengths.empty()) {
      n = std::min(n, chunk_length(plan.lengths[turn % plan.lengths.size()]));
    }
    std::vector<uint8_t> fresh(plan.stream.begin() + pos, plan.stream.begin() + pos + n);
    pos += n;
    std::span<uint8_t> input = fresh;
    const bool buffered = !tail.empty();
    if (buffered) {
      tail.append(reinterpret_cast<const char*>(fresh.data()), fresh.size());
      input = {reinterpret_cast<uint8_t*>(tail.data()), tail.size()};
    }
    recorder.stopped = false;
    size_t used = read_frames(input, message, plan.max_message, recorder);
    require(used <= input.size(), "consumed more than the input");
    if (recorder.stopped) {
      require(used == input.size(), "input left after a close or an error");
      closed = true;
    }
    if (closed) used = input.size();  // the worker drops input once closing
    if (buffered) {
      tail.erase(0, used);
    } else if (used < input.size()) {
      tail.assign(reinterpret_cast<const char*>(input.data()) + used, input.size() - used);
    }
    if (closed && !plan.feed_after_stop) break;
  }
  return recorder.events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const uint64_t kMaxMessage[] = {4096, 0, 1, 16, 125, 126, 65536,
                                         std::numeric_limits<uint64_t>::max()};
  const size_t count = data[0] >> 4;
  if (size < 1 + count) return 0;
  const std::span<const uint8_t> input(data, size);
  Plan plan{kMaxMessage[data[0] & 7], (data[0] & 8) != 0, input.subspan(1, count),
            input.subspan(1 + count)};

  // Every input is read twice: as on a plain connection, and as on one that negotiated
  // permessage-deflate (RSV1 allowed on a message's first frame).
  for (const bool deflate : {false, true}) {
    const std::vector<Event> chunked = run(plan, true, deflate);
    if (plan.feed_after_stop) continue;  // events after a close are the worker's to ignore
    require(chunked == run(plan, false, deflate), "the events depend on the chunking");
  }
  return 0;
}
