#pragma once
// Plain HTTP/1.1 responses (status, a few headers, a body). Pure; safe from any thread.
#include <string>
#include <string_view>

namespace levelcast {

std::string_view status_text(int status);

// Appends a complete response with Content-Length and "Connection: close".
// `extra_headers` are whole lines, each ending in "\r\n". With `head_only` (a HEAD request) the
// Content-Length is the body's but the body is left out; a 304 has neither (RFC 9110 15.4.5).
void append_response(std::string& out, int status, std::string_view content_type,
                     std::string_view body, std::string_view extra_headers = {},
                     bool head_only = false);

// The status line and headers of a response whose body of `content_length` bytes is written
// separately (or not at all, for HEAD).
void append_response_head(std::string& out, int status, std::string_view content_type,
                          size_t content_length, std::string_view extra_headers = {});

// The head of a response whose body streams until the connection closes (Server-Sent Events):
// no Content-Length, not cached, not buffered by a proxy.
void append_stream_head(std::string& out, std::string_view content_type, std::string_view extra_headers);

// The same for a short plain-text error body: "<status text>: <reason>\n".
void append_error_response(std::string& out, int status, std::string_view reason,
                           std::string_view extra_headers = {}, bool head_only = false);

}  // namespace levelcast
