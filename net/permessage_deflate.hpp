#pragma once
// permessage-deflate (RFC 7692) for a broadcast server: the negotiation (pure), one deflater
// that compresses a message once for every subscriber (no context takeover: each message stands
// alone, so the same bytes suit every connection), and one inflater per worker for the client
// messages /echo receives, bounded while it inflates.
//
// Threads: negotiate_permessage_deflate() is safe from any thread; a MessageDeflater or a
// MessageInflater belongs to the one thread that uses it.
#include <zlib.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_request.hpp"

namespace levelcast {

// The first acceptable permessage-deflate offer among the request's Sec-WebSocket-Extensions
// headers, answered: the response header's value, or nullopt when none is acceptable (then the
// connection goes on without the extension). The answer always has server_no_context_takeover
// and client_no_context_takeover, never client_max_window_bits (Chromium fails a connection
// whose answer names a parameter it did not offer).
std::optional<std::string> negotiate_permessage_deflate(const HttpRequest& request);
// The same for one header value (a comma-separated list of offers); pure, for the fuzzer.
std::optional<std::string> answer_deflate_offers(std::string_view header_value);

class MessageDeflater {
 public:
  MessageDeflater();
  ~MessageDeflater();
  MessageDeflater(const MessageDeflater&) = delete;
  MessageDeflater& operator=(const MessageDeflater&) = delete;

  // Appends the compressed form of one whole message to `out`: raw deflate, sync flush, the
  // trailing 00 00 ff ff removed (RFC 7692 7.2.1), and the state reset for the next message.
  void compress(std::span<const uint8_t> message, std::string& out);

 private:
  z_stream stream_{};
  std::vector<uint8_t> buffer_;  // grows to the largest message's bound, then is reused
};

enum class InflateStatus { ok, too_big, corrupt };

class MessageInflater {
 public:
  MessageInflater();
  ~MessageInflater();
  MessageInflater(const MessageInflater&) = delete;
  MessageInflater& operator=(const MessageInflater&) = delete;

  // Inflates one whole compressed message into `out` (replacing it). Stops as soon as the output
  // would pass `max_bytes` (too_big): a small frame that would inflate past the limit costs no
  // more than the limit.
  InflateStatus inflate(std::span<const uint8_t> compressed, size_t max_bytes, std::string& out);

 private:
  z_stream stream_{};
};

}  // namespace levelcast
