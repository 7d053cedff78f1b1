#include "upgrade_handshake.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

namespace levelcast::load {
namespace {

constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::uint64_t split_mix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) {
             return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
           };
           return lower(x) == lower(y);
         });
}

std::string_view trim_spaces(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

HandshakeKey derive_handshake_key(std::uint64_t seed) noexcept {
  unsigned char nonce[16];
  const std::uint64_t words[2] = {split_mix64(seed), split_mix64(seed)};
  std::memcpy(nonce, words, sizeof nonce);

  HandshakeKey result;
  unsigned char text[32];  // EVP_EncodeBlock writes a terminating NUL
  EVP_EncodeBlock(text, nonce, sizeof nonce);
  std::memcpy(result.key.data(), text, result.key.size());

  result.accept = accept_value_for(result.key_text());
  return result;
}

std::array<char, 28> accept_value_for(std::string_view key) noexcept {
  unsigned char joined[24 + kWebSocketGuid.size()];
  const std::size_t key_size = std::min<std::size_t>(key.size(), 24);
  std::memcpy(joined, key.data(), key_size);
  std::memcpy(joined + key_size, kWebSocketGuid.data(), kWebSocketGuid.size());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_Digest(joined, key_size + kWebSocketGuid.size(), digest, &digest_size, EVP_sha1(), nullptr);
  unsigned char text[32];  // 28 characters and EVP_EncodeBlock's terminating NUL
  EVP_EncodeBlock(text, digest, static_cast<int>(digest_size));
  std::array<char, 28> accept;
  std::memcpy(accept.data(), text, accept.size());
  return accept;
}

std::size_t write_upgrade_request(char* out, std::string_view host_header, std::string_view path,
                                  const HandshakeKey& key, bool offer_deflate) {
  const auto written = fmt::format_to_n(out, kMaxUpgradeRequestSize,
                                        "GET {} HTTP/1.1\r\n"
                                        "Host: {}\r\n"
                                        "Upgrade: websocket\r\n"
                                        "Connection: Upgrade\r\n"
                                        "Sec-WebSocket-Key: {}\r\n"
                                        "Sec-WebSocket-Version: 13\r\n"
                                        "{}"
                                        "\r\n",
                                        path, host_header, key.key_text(),
                                        offer_deflate ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "");
  return written.size <= kMaxUpgradeRequestSize ? written.size : 0;
}

std::size_t write_stream_request(char* out, std::string_view host_header, std::string_view path) {
  const auto written = fmt::format_to_n(out, kMaxUpgradeRequestSize,
                                        "GET {} HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
                                        path, host_header);
  return written.size <= kMaxUpgradeRequestSize ? written.size : 0;
}

UpgradeReply check_stream_reply(std::string_view bytes) noexcept {
  const std::size_t end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    const bool too_long = bytes.size() > kMaxUpgradeReplySize;
    return {too_long ? UpgradeStatus::rejected : UpgradeStatus::incomplete, 0};
  }
  if (bytes.substr(0, 9) != "HTTP/1.1 " || bytes.substr(9, 3) != "200") return {UpgradeStatus::rejected, 0};
  return {UpgradeStatus::accepted, end + 4};
}

UpgradeReply check_upgrade_reply(std::string_view bytes,
                                 std::string_view expected_accept) noexcept {
  const std::size_t end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    const bool too_long = bytes.size() > kMaxUpgradeReplySize;
    return {too_long ? UpgradeStatus::rejected : UpgradeStatus::incomplete, 0};
  }
  const UpgradeReply rejected{UpgradeStatus::rejected, 0};
  std::string_view header = bytes.substr(0, end + 2);
  const std::size_t status_end = header.find("\r\n");
  const std::string_view status_line = header.substr(0, status_end);
  if (status_line.substr(0, 9) != "HTTP/1.1 " || status_line.substr(9, 3) != "101") {
    return rejected;
  }
  header.remove_prefix(status_end + 2);
  bool accept_matches = false;
  while (!header.empty()) {
    const std::size_t line_end = header.find("\r\n");
    const std::string_view line = header.substr(0, line_end);
    header.remove_prefix(line_end + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (equals_ignoring_case(trim_spaces(line.substr(0, colon)), "sec-websocket-accept")) {
      accept_matches = trim_spaces(line.substr(colon + 1)) == expected_accept;
    }
  }
  if (!accept_matches) return rejected;
  return {UpgradeStatus::accepted, end + 4};
}

}  // namespace levelcast::load
