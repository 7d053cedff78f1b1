#include "net/http_request.hpp"

#include <gtest/gtest.h>

#include <string>

namespace levelcast {
namespace {

const std::string kRequest =
    "GET /levels/mic?since=42&format=binary HTTP/1.1\r\n"
    "Host: example.com:8080\r\n"
    "Upgrade:websocket\r\n"
    "Connection: keep-alive, Upgrade\r\n"
    "X-Empty:\r\n"
    "\r\n";

TEST(HttpRequest, ParsesRequestLineHeadersAndQuery) {
  HttpRequest r;
  ASSERT_EQ(parse_request_head(kRequest, r), RequestError::none);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/levels/mic");
  EXPECT_EQ(r.query, "since=42&format=binary");
  EXPECT_EQ(r.version_major, 1);
  EXPECT_EQ(r.version_minor, 1);
  ASSERT_NE(r.header("host"), nullptr);
  EXPECT_EQ(*r.header("HOST"), "example.com:8080");
  EXPECT_EQ(*r.header("x-empty"), "");
  EXPECT_TRUE(r.header_has_token("connection", "upgrade"));
  EXPECT_FALSE(r.header_has_token("connection", "close"));
  std::string_view v;
  ASSERT_TRUE(r.query_param("format", v));
  EXPECT_EQ(v, "binary");
  EXPECT_FALSE(r.query_param("missing", v));
}

TEST(HttpRequest, SplitInputNeedsMoreUntilTheBlankLine) {
  for (size_t cut = 0; cut < kRequest.size(); ++cut) {
    const HeadScan scan = scan_request_head(std::string_view(kRequest).substr(0, cut), 8192);
    EXPECT_EQ(scan.status, HeadStatus::need_more) << "cut at " << cut;
  }
  const std::string with_pipelined = kRequest + "\x81\x80";
  const HeadScan scan = scan_request_head(with_pipelined, 8192);
  ASSERT_EQ(scan.status, HeadStatus::complete);
  EXPECT_EQ(scan.length, kRequest.size());
}

TEST(HttpRequest, HeadOverTheLimitIsTooLarge) {
  EXPECT_EQ(scan_request_head(kRequest, 40).status, HeadStatus::too_large);
  const std::string endless = "GET / HTTP/1.1\r\nX: " + std::string(9000, 'a');
  EXPECT_EQ(scan_request_head(endless, 8192).status, HeadStatus::too_large);
}

TEST(HttpRequest, RejectsMalformedHeads) {
  const auto error_of = [](const std::string& head) {
    HttpRequest r;
    return parse_request_head(head, r);
  };
  EXPECT_EQ(error_of("GET\r\n\r\n"), RequestError::bad_request_line);
  EXPECT_NE(error_of("GET / HTTP/1.1 extra\r\n\r\n"), RequestError::none);
  EXPECT_EQ(error_of("GET / HTTX/1.1\r\n\r\n"), RequestError::bad_version);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nNo colon\r\n\r\n"), RequestError::bad_header);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\n folded: x\r\n\r\n"), RequestError::bad_header);
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 65; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(error_of(many + "\r\n"), RequestError::too_many_headers);
}

}  // namespace
}  // namespace levelcast
