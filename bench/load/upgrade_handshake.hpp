#pragma once
// The client side of the opening handshake (RFC 6455 section 4.1): the HTTP upgrade request
// and the check of the server's 101 reply. A connection keeps only a 64-bit seed; the
// Sec-WebSocket-Key and the Sec-WebSocket-Accept value it must come back with are derived from
// it when needed (OpenSSL does the SHA-1 and base64). Pure functions; safe from any thread.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace levelcast::load {

struct HandshakeKey {
  std::array<char, 24> key{};     // base64 of 16 bytes
  std::array<char, 28> accept{};  // base64 of the SHA-1 of key + the RFC 6455 GUID

  std::string_view key_text() const noexcept { return {key.data(), key.size()}; }
  std::string_view accept_text() const noexcept { return {accept.data(), accept.size()}; }
};

HandshakeKey derive_handshake_key(std::uint64_t seed) noexcept;

// The Sec-WebSocket-Accept value for a 24-character Sec-WebSocket-Key.
std::array<char, 28> accept_value_for(std::string_view key) noexcept;

inline constexpr std::size_t kMaxUpgradeRequestSize = 1024;

// Writes the request into `out` (at least kMaxUpgradeRequestSize bytes); returns its size, or 0
// when host and path do not fit.
std::size_t write_upgrade_request(char* out, std::string_view host_header, std::string_view path,
                                  const HandshakeKey& key, bool offer_deflate = false);
// A plain GET for a Server-Sent Events stream, the same way.
std::size_t write_stream_request(char* out, std::string_view host_header, std::string_view path);

enum class UpgradeStatus : std::uint8_t { incomplete, accepted, rejected };

struct UpgradeReply {
  UpgradeStatus status;
  std::size_t header_size;  // accepted: bytes up to and including the blank line
};

// A reply header longer than this is rejected.
inline constexpr std::size_t kMaxUpgradeReplySize = 8192;

UpgradeReply check_upgrade_reply(std::string_view bytes, std::string_view expected_accept) noexcept;
// The reply to write_stream_request: accepted on "200" (the stream follows the blank line).
UpgradeReply check_stream_reply(std::string_view bytes) noexcept;

}  // namespace levelcast::load
