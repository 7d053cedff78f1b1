#include "net/handshake.hpp"

#include <gtest/gtest.h>

#include <string>

namespace levelcast {
namespace {

HttpRequest parse(const std::string& head) {
  HttpRequest r;
  EXPECT_EQ(parse_request_head(head, r), RequestError::none);
  return r;
}

const std::string kGood =
    "GET /levels HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

TEST(Handshake, Rfc6455Example) {
  EXPECT_EQ(websocket_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(Handshake, KeyMustDecodeToSixteenBytes) {
  EXPECT_TRUE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ="));
  EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZQ=="));
  EXPECT_FALSE(is_valid_websocket_key("!!!!IHNhbXBsZSBub25jZQ=="));
  EXPECT_FALSE(is_valid_websocket_key(""));
}

TEST(Handshake, AcceptsAValidUpgrade) {
  const std::string head = kGood;
  EXPECT_EQ(check_websocket_upgrade(parse(head)).status, 0);
  std::string out;
  append_upgrade_response(out, "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_EQ(out.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
  EXPECT_NE(out.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
}

TEST(Handshake, TokenListsAndCaseAreAccepted) {
  const std::string head =
      "GET / HTTP/1.1\r\nhost: x\r\nupgrade: WebSocket\r\nconnection: keep-alive,  upgrade \r\n"
      "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n";
  EXPECT_EQ(check_websocket_upgrade(parse(head)).status, 0);
}

TEST(Handshake, RejectsBrokenUpgrades) {
  const auto status_without = [](const std::string& header) {
    std::string head = kGood;
    const size_t at = head.find(header);
    head.erase(at, head.find("\r\n", at) + 2 - at);
    return check_websocket_upgrade(parse(head)).status;
  };
  EXPECT_EQ(status_without("Host:"), 400);
  EXPECT_EQ(status_without("Upgrade:"), 400);
  EXPECT_EQ(status_without("Connection:"), 400);
  EXPECT_EQ(status_without("Sec-WebSocket-Key:"), 400);
  EXPECT_EQ(status_without("Sec-WebSocket-Version:"), 426);
}

TEST(Handshake, WrongVersionAndMethod) {
  std::string v8 = kGood;
  v8.replace(v8.find("Version: 13"), 11, "Version: 8");
  EXPECT_EQ(check_websocket_upgrade(parse(v8)).status, 426);
  std::string post = kGood;
  post.replace(0, 3, "POST");
  EXPECT_EQ(check_websocket_upgrade(parse(post)).status, 405);
  std::string http10 = kGood;
  http10.replace(http10.find("HTTP/1.1"), 8, "HTTP/1.0");
  EXPECT_EQ(check_websocket_upgrade(parse(http10)).status, 400);
}

}  // namespace
}  // namespace levelcast
