// Fuzzes the HTTP request head path as a worker runs it (net/worker_io.cpp handle_http): the
// received bytes grow chunk by chunk and are scanned each time; a complete head is parsed, its
// headers looked up, and checked as a WebSocket upgrade. Checks the scan against a naive search,
// that every parsed view lies inside the head and obeys the grammar, and the lookups against
// plain loops over the parsed headers.
//
// Input: [max head bytes selector] [chunk length, 0 = all at once] [received bytes...]
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/handshake.hpp"
#include "net/http_request.hpp"
#include "tests/fuzz/invariant.hpp"

namespace {

using namespace levelcast;
using fuzz::require;


bool inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

bool has_control(std::string_view s) {
  for (char c : s) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) return true;
  }
  return false;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view strip(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// The first 16 bytes cannot begin "METHOD ": what scan_request_head calls not_http.
bool naive_not_http(std::string_view received) {
  for (size_t i = 0; i < received.size() && i < 16; ++i) {
    if (received[i] == ' ') return i == 0;
    if (!token_char(received[i])) return true;
  }
  return received.size() >= 16;
}

// What scan_request_head must say about `received`, by a byte-by-byte search.
HeadScan expected_scan(std::string_view received, size_t max_head) {
  if (naive_not_http(received)) return {HeadStatus::not_http, 0};
  for (size_t i = 0; i + 4 <= received.size(); ++i) {
    if (received.substr(i, 4) == "\r\n\r\n") {
      if (i + 4 <= max_head) return {HeadStatus::complete, i + 4};
      return {HeadStatus::too_large, 0};
    }
  }
  return {received.size() >= max_head ? HeadStatus::too_large : HeadStatus::need_more, 0};
}

size_t count_lines(std::string_view head) {
  size_t lines = 0;
  for (size_t pos = 0; (pos = head.find("\r\n", pos)) != std::string_view::npos; pos += 2) ++lines;
  return lines;
}

// The headers as parse_request_head stored them, read back through the public API: the i-th
// header line of the head (the parser keeps them in order).
struct HeaderLine {
  std::string_view name;
  std::string_view value;
};

std::vector<HeaderLine> header_lines(std::string_view head) {
  std::vector<HeaderLine> out;
  size_t pos = head.find("\r\n") + 2;
  while (pos < head.size()) {
    const size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos || end == pos) break;
    const std::string_view line = head.substr(pos, end - pos);
    const size_t colon = line.find(':');
    out.push_back({line.substr(0, colon), strip(line.substr(colon + 1))});
    pos = end + 2;
  }
  return out;
}

void check_lookups(const HttpRequest& request, std::string_view head) {
  const std::vector<HeaderLine> lines = header_lines(head);
  require(lines.size() == request.header_count(), "header count differs from the header lines");
  for (const HeaderLine& line : lines) {
    require(!line.name.empty() && !has_control(line.value), "a header breaks the grammar");
    require(line.value == strip(line.value), "a header value keeps surrounding whitespace");
    const std::string_view* found = request.header(line.name);
    require(found != nullptr && inside(*found, head), "a parsed header is not found");
    for (const HeaderLine& first : lines) {
      if (!same_name(first.name, line.name)) continue;
      require(*found == first.value && found->data() == first.value.data(),
              "header() does not return the first header of that name");
      break;
    }
    // Each comma-separated element of the value is a token the header must be said to have.
    std::string_view list = line.value;
    while (true) {
      const size_t comma = list.find(',');
      const std::string_view element = strip(list.substr(0, comma));
      if (!element.empty()) {
        require(request.header_has_token(line.name, element), "header_has_token misses an element");
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
}

void check_query(const HttpRequest& request) {
  std::string_view rest = request.query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const std::string_view key = pair.substr(0, pair.find('='));
    std::string_view value;
    require(request.query_param(key, value), "query_param misses a key");
    require(inside(value, request.query), "a query value lies outside the query");
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
}

void check_parsed(const HttpRequest& request, std::string_view head) {
  require(!request.method.empty() && !request.target.empty(), "empty method or target");
  for (std::string_view part : {request.method, request.target, request.path, request.query}) {
    require(inside(part, head), "a parsed view lies outside the head");
  }
  require(request.target.find(' ') == std::string_view::npos, "a space inside the target");
  require(!has_control(request.target), "a control byte inside the target");
  require(request.version_major == 1, "a version other than HTTP/1.x accepted");
  require(request.path.find('?') == std::string_view::npos, "a '?' inside the path");
  require(request.version_major >= 0 && request.version_major <= 9 && request.version_minor >= 0 &&
              request.version_minor <= 9,
          "a version outside one digit");
  require(request.header_count() == count_lines(head) - 2, "a header line was skipped");
  check_lookups(request, head);
  check_query(request);

  const HandshakeVerdict verdict = check_websocket_upgrade(request);
  if (verdict.status != 0) {
    require(!verdict.reason.empty(), "a refusal without a reason");
    return;
  }
  require(request.method == "GET", "an upgrade that is not a GET");
  const std::string_view* key = request.header("Sec-WebSocket-Key");
  require(key != nullptr && is_valid_websocket_key(*key), "an upgrade without a valid key");
  std::string response;
  require(request.header_count("Sec-WebSocket-Key") == 1 &&
              request.header_count("Sec-WebSocket-Version") == 1,
          "an upgrade with a repeated key or version");
  append_upgrade_response(response, *key);
  require(response.size() > 4 && response.ends_with("\r\n\r\n"), "an unterminated 101 response");
  require(websocket_accept_key(*key).size() == 28, "an accept key that is not 28 characters");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static const size_t kMaxHead[] = {8192, 16, 64, 256, 1024, 4096, 8192, 65536};
  const size_t max_head = kMaxHead[data[0] & 7];
  const size_t chunk = data[1];
  const std::string stream(reinterpret_cast<const char*>(data) + 2, size - 2);

  // Any bytes at all through the parser on their own: it must not read outside them.
  bool parses_whole = false;  // and a request the scan must not call not_http
  {
    const std::vector<char> exact(stream.begin(), stream.end());
    const std::string_view raw(exact.data(), exact.size());
    HttpRequest request;
    if (parse_request_head(raw, request) == RequestError::none) {
      parses_whole = request.method.size() < 16;  // longer methods are not served: not_http
      for (std::string_view part : {request.method, request.target, request.path, request.query}) {
        require(inside(part, raw), "a parsed view lies outside the input");
      }
    }
  }

  // As the worker: append what arrives, scan the whole buffer, stop once it is not need_more.
  std::string received;
  size_t pos = 0;
  HeadScan scan{HeadStatus::need_more, 0};
  while (pos < stream.size() && scan.status == HeadStatus::need_more) {
    const size_t n = chunk == 0 ? stream.size() - pos : std::min(chunk, stream.size() - pos);
    received.append(stream, pos, n);
    pos += n;
    scan = scan_request_head(received, max_head);
    const HeadScan want = expected_scan(received, max_head);
    require(scan.status == want.status && scan.length == want.length,
            "scan_request_head disagrees with a naive search");
    require(!(parses_whole && scan.status == HeadStatus::not_http),
            "a parsable request was called not HTTP");
  }
  if (scan.status != HeadStatus::complete) return 0;

  const std::vector<char> head_bytes(received.begin(), received.begin() + scan.length);
  const std::string_view head(head_bytes.data(), head_bytes.size());
  HttpRequest request;
  const RequestError error = parse_request_head(head, request);
  require(!describe(error).empty(), "an error without a description");
  if (error == RequestError::none) check_parsed(request, head);
  return 0;
}
