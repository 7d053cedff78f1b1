#pragma once
// The server side of the RFC 6455 opening handshake: checking an upgrade request and computing
// Sec-WebSocket-Accept (OpenSSL SHA-1 and base64). Pure; safe from any thread.
#include <string>
#include <string_view>

#include "net/http_request.hpp"

namespace levelcast {

struct HandshakeVerdict {
  int status = 0;               // 0 when the request is a valid upgrade, else the HTTP status
  std::string_view reason{};    // short text for the error body
};

HandshakeVerdict check_websocket_upgrade(const HttpRequest& request);

// base64(SHA-1(key + the RFC 6455 GUID)).
std::string websocket_accept_key(std::string_view client_key);

// True when `key` is base64 of exactly 16 bytes.
bool is_valid_websocket_key(std::string_view key);

// The 101 Switching Protocols response; `extra_headers` are whole lines ending in "\r\n" (a
// Sec-WebSocket-Protocol, a Sec-WebSocket-Extensions the route chose).
void append_upgrade_response(std::string& out, std::string_view client_key,
                             std::string_view extra_headers = {});

}  // namespace levelcast
