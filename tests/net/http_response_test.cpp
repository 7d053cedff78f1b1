#include "net/http_response.hpp"

#include <gtest/gtest.h>

namespace levelcast {
namespace {

TEST(HttpResponse, CarriesLengthTypeAndClose) {
  std::string out;
  append_response(out, 200, "text/plain", "hello", "X-A: 1\r\n");
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nServer: levelcast\r\nContent-Type: text/plain\r\n"
            "Content-Length: 5\r\nConnection: close\r\nX-A: 1\r\n\r\nhello");
}

TEST(HttpResponse, HeadSendsTheLengthButNotTheBody) {
  std::string out;
  append_response(out, 200, "text/html", "<html></html>", {}, true);
  EXPECT_NE(out.find("Content-Length: 13\r\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
}

TEST(HttpResponse, NotModifiedHasNoLengthAndNoBody) {
  std::string out;
  append_response(out, 304, "text/html", "", "Last-Modified: x\r\n");
  EXPECT_EQ(out, "HTTP/1.1 304 Not Modified\r\nServer: levelcast\r\nConnection: close\r\nLast-Modified: x\r\n\r\n");
}

}  // namespace
}  // namespace levelcast
