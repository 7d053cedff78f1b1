#include "net/http_response.hpp"

#include <fmt/format.h>

namespace levelcast {

std::string_view status_text(int status) {
  switch (status) {
    case 200: return "OK";
    case 101: return "Switching Protocols";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 401: return "Unauthorized";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

void append_response(std::string& out, int status, std::string_view content_type,
                     std::string_view body, std::string_view extra_headers, bool head_only) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "HTTP/1.1 {} {}\r\nServer: levelcast\r\n", status, status_text(status));
  if (status == 304 || status == 204) {  // no body, so no Content-Type or Content-Length
    fmt::format_to(it, "Connection: close\r\n{}\r\n", extra_headers);
    return;
  }
  fmt::format_to(it, "Content-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n{}\r\n",
                 content_type, body.size(), extra_headers);
  if (!head_only) out.append(body);
}

void append_stream_head(std::string& out, std::string_view content_type, std::string_view extra_headers) {
  fmt::format_to(std::back_inserter(out),
                 "HTTP/1.1 200 OK\r\nServer: levelcast\r\nContent-Type: {}\r\nCache-Control: no-cache\r\n"
                 "X-Accel-Buffering: no\r\nConnection: close\r\n{}\r\n",
                 content_type, extra_headers);
}

void append_response_head(std::string& out, int status, std::string_view content_type,
                          size_t content_length, std::string_view extra_headers) {
  fmt::format_to(std::back_inserter(out),
                 "HTTP/1.1 {} {}\r\nServer: levelcast\r\nContent-Type: {}\r\nContent-Length: {}\r\n"
                 "Connection: close\r\n{}\r\n",
                 status, status_text(status), content_type, content_length, extra_headers);
}

void append_error_response(std::string& out, int status, std::string_view reason,
                           std::string_view extra_headers, bool head_only) {
  const std::string body = fmt::format("{}: {}\n", status_text(status), reason);
  append_response(out, status, "text/plain; charset=utf-8", body, extra_headers, head_only);
}

}  // namespace levelcast
