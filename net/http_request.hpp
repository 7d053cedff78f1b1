#pragma once
// HTTP/1.x request-head parsing: pure functions over bytes already received, so it can be fed
// split input, fuzzed and benchmarked alone. Views point into the caller's buffer.
#include <array>
#include <cstddef>
#include <span>
#include <string_view>

namespace levelcast {

struct HttpHeader {
  std::string_view name;
  std::string_view value;  // without surrounding whitespace
};

class HttpRequest {
 public:
  static constexpr size_t kMaxHeaders = 64;

  std::string_view method;
  std::string_view target;  // as sent: path and query
  std::string_view path;
  std::string_view query;   // after '?', without it
  int version_major = 0;
  int version_minor = 0;

  // The first header of this name (case-insensitive), or nullptr.
  const std::string_view* header(std::string_view name) const;
  // True when the header is present and its comma-separated list holds `token` (case-insensitive).
  bool header_has_token(std::string_view name, std::string_view token) const;
  // Value of `key` in the query string ("a=1&b=2"), if present.
  bool query_param(std::string_view key, std::string_view& value) const;

  bool add_header(HttpHeader h);
  std::span<const HttpHeader> all_headers() const { return {headers_.data(), count_}; }
  size_t header_count() const { return count_; }
  const HttpHeader& header_at(size_t i) const { return headers_[i]; }
  // How many headers have this name (case-insensitive).
  size_t header_count(std::string_view name) const;

 private:
  std::array<HttpHeader, kMaxHeaders> headers_{};
  size_t count_ = 0;
};

// not_http: the bytes so far cannot begin an HTTP/1.x request line (a TLS ClientHello, binary
// noise): answer at once rather than wait for a head that will never come.
enum class HeadStatus { need_more, complete, too_large, not_http };

struct HeadScan {
  HeadStatus status;
  size_t length;  // bytes of the head including the blank line, when complete
};

// Looks for the end of the request head ("\r\n\r\n") in what has been received so far.
HeadScan scan_request_head(std::string_view received, size_t max_head_bytes);

enum class RequestError {
  none,
  bad_request_line,
  bad_version,
  unsupported_version,  // well-formed, but not HTTP/1.x (HTTP/2.0 preface, HTTP/9.9): 505
  bad_header,
  too_many_headers,
};

// Parses a complete head (as delimited by scan_request_head) into `out`.
RequestError parse_request_head(std::string_view head, HttpRequest& out);
std::string_view describe(RequestError error);
// The HTTP status that answers the error: 505 for an unsupported version, else 400.
int status_for(RequestError error);

bool iequals(std::string_view a, std::string_view b);

}  // namespace levelcast
