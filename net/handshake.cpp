#include "net/handshake.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>

namespace levelcast {
namespace {
constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
}

bool is_valid_websocket_key(std::string_view key) {
  // 16 bytes encode to 22 characters plus "==".
  if (key.size() != 24 || key.substr(22) != "==") return false;
  std::array<unsigned char, 24> decoded{};
  const int n = EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(key.data()),
                                static_cast<int>(key.size()));
  // EVP_DecodeBlock counts the padding as zero bytes: 18 = 16 + 2.
  return n == 18;
}

std::string websocket_accept_key(std::string_view client_key) {
  std::string input;
  input.reserve(client_key.size() + kGuid.size());
  input.append(client_key).append(kGuid);
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  std::array<unsigned char, 32> encoded{};  // 4 * ceil(20 / 3) + NUL
  const int n = EVP_EncodeBlock(encoded.data(), digest.data(), static_cast<int>(digest.size()));
  return std::string(reinterpret_cast<const char*>(encoded.data()), static_cast<size_t>(n));
}

HandshakeVerdict check_websocket_upgrade(const HttpRequest& request) {
  if (request.method != "GET") return {405, "method not allowed"};
  if (request.version_major < 1 || (request.version_major == 1 && request.version_minor < 1)) {
    return {400, "WebSocket needs HTTP/1.1"};
  }
  if (request.header("Host") == nullptr) return {400, "missing Host header"};
  if (!request.header_has_token("Upgrade", "websocket")) {
    return {400, "expected Upgrade: websocket"};
  }
  if (!request.header_has_token("Connection", "Upgrade")) {
    return {400, "expected Connection: Upgrade"};
  }
  // Two values of either would leave which one counts to chance (RFC 6455 4.2.1: exactly one).
  if (request.header_count("Sec-WebSocket-Key") > 1 ||
      request.header_count("Sec-WebSocket-Version") > 1) {
    return {400, "Sec-WebSocket-Key and Sec-WebSocket-Version must appear once"};
  }
  const std::string_view* version = request.header("Sec-WebSocket-Version");
  if (version == nullptr || *version != "13") {
    return {426, "unsupported Sec-WebSocket-Version, expected 13"};
  }
  const std::string_view* key = request.header("Sec-WebSocket-Key");
  if (key == nullptr || !is_valid_websocket_key(*key)) {
    return {400, "Sec-WebSocket-Key must be base64 of 16 bytes"};
  }
  return {};
}

void append_upgrade_response(std::string& out, std::string_view client_key,
                             std::string_view extra_headers) {
  out.append(
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ");
  out.append(websocket_accept_key(client_key));
  out.append("\r\n").append(extra_headers).append("\r\n");
}

}  // namespace levelcast
