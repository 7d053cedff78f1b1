#include "net/http_request.hpp"

#include <algorithm>

namespace levelcast {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool parse_version(std::string_view v, HttpRequest& out) {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || v[6] != '.') return false;
  if (v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9') return false;
  out.version_major = v[5] - '0';
  out.version_minor = v[7] - '0';
  return true;
}

// The request target: visible ASCII only (RFC 9112 3.2); control bytes are refused.
bool is_target_char(char c) { return c > 0x20 && c < 0x7F; }

RequestError parse_request_line(std::string_view line, HttpRequest& out) {
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp1 == 0) return RequestError::bad_request_line;
  out.method = line.substr(0, sp1);
  out.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!std::all_of(out.method.begin(), out.method.end(), is_token_char) || out.target.empty() ||
      !std::all_of(out.target.begin(), out.target.end(), is_target_char)) {
    return RequestError::bad_request_line;
  }
  if (!parse_version(line.substr(sp2 + 1), out)) return RequestError::bad_version;
  if (out.version_major != 1) return RequestError::unsupported_version;
  const size_t q = out.target.find('?');
  out.path = out.target.substr(0, q);
  out.query = q == std::string_view::npos ? std::string_view{} : out.target.substr(q + 1);
  return RequestError::none;
}

RequestError parse_header_line(std::string_view line, HttpRequest& out) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return RequestError::bad_header;
  const std::string_view name = line.substr(0, colon);
  // A name must be a token: this also rejects obsolete line folding (leading whitespace).
  if (!std::all_of(name.begin(), name.end(), is_token_char)) return RequestError::bad_header;
  const std::string_view value = trim(line.substr(colon + 1));
  for (char c : value) {
    if ((c < 0x20 && c != '\t') || c == 0x7F) return RequestError::bad_header;
  }
  return out.add_header({name, value}) ? RequestError::none : RequestError::too_many_headers;
}

// A request line starts with a method token and a space: a first byte outside the token
// characters, or a long run without the space, is not HTTP/1.x. Checked on the first 16 bytes
// at most, so a split head costs nothing more.
bool cannot_be_request(std::string_view received) {
  constexpr size_t kLongestMethod = 16;
  const std::string_view start = received.substr(0, kLongestMethod);
  const size_t space = start.find(' ');
  const std::string_view method = start.substr(0, space);
  if (!std::all_of(method.begin(), method.end(), is_token_char)) return true;
  return space == 0 || (space == std::string_view::npos && start.size() == kLongestMethod);
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool HttpRequest::add_header(HttpHeader h) {
  if (count_ == kMaxHeaders) return false;
  headers_[count_++] = h;
  return true;
}

size_t HttpRequest::header_count(std::string_view name) const {
  size_t n = 0;
  for (size_t i = 0; i < count_; ++i) n += iequals(headers_[i].name, name) ? 1 : 0;
  return n;
}

const std::string_view* HttpRequest::header(std::string_view name) const {
  for (size_t i = 0; i < count_; ++i) {
    if (iequals(headers_[i].name, name)) return &headers_[i].value;
  }
  return nullptr;
}

bool HttpRequest::header_has_token(std::string_view name, std::string_view token) const {
  for (size_t i = 0; i < count_; ++i) {
    if (!iequals(headers_[i].name, name)) continue;
    std::string_view list = headers_[i].value;
    while (!list.empty()) {
      const size_t comma = list.find(',');
      if (iequals(trim(list.substr(0, comma)), token)) return true;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return false;
}

bool HttpRequest::query_param(std::string_view key, std::string_view& value) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
      return true;
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return false;
}

HeadScan scan_request_head(std::string_view received, size_t max_head_bytes) {
  if (cannot_be_request(received)) return {HeadStatus::not_http, 0};
  const size_t end = received.find("\r\n\r\n");
  if (end != std::string_view::npos && end + 4 <= max_head_bytes) {
    return {HeadStatus::complete, end + 4};
  }
  if (end != std::string_view::npos || received.size() >= max_head_bytes) {
    return {HeadStatus::too_large, 0};
  }
  return {HeadStatus::need_more, 0};
}

RequestError parse_request_head(std::string_view head, HttpRequest& out) {
  size_t line_end = head.find("\r\n");
  if (line_end == std::string_view::npos) return RequestError::bad_request_line;
  if (RequestError e = parse_request_line(head.substr(0, line_end), out); e != RequestError::none) {
    return e;
  }
  size_t pos = line_end + 2;
  while (pos < head.size()) {
    line_end = head.find("\r\n", pos);
    if (line_end == std::string_view::npos || line_end == pos) break;  // blank line: the end
    if (RequestError e = parse_header_line(head.substr(pos, line_end - pos), out);
        e != RequestError::none) {
      return e;
    }
    pos = line_end + 2;
  }
  return RequestError::none;
}

std::string_view describe(RequestError error) {
  switch (error) {
    case RequestError::none: return "ok";
    case RequestError::bad_request_line: return "malformed request line";
    case RequestError::bad_version: return "malformed HTTP version";
    case RequestError::unsupported_version: return "only HTTP/1.x is served here";
    case RequestError::bad_header: return "malformed header line";
    case RequestError::too_many_headers: return "too many headers";
  }
  return "bad request";
}

int status_for(RequestError error) {
  return error == RequestError::unsupported_version ? 505 : 400;
}

}  // namespace levelcast
