#pragma once
// Plain HTTP/1.1 responses (status, a few headers, a body). Pure; safe from any thread.
#include <string>
#include <string_view>

namespace levelcast {

std::string_view status_text(int status);

// Appends a complete response with Content-Length and "Connection: close".
// `extra_headers` are whole lines, each ending in "\r\n".
void append_response(std::string& out, int status, std::string_view content_type,
                     std::string_view body, std::string_view extra_headers = {});

// The same for a short plain-text error body: "<status text>: <reason>\n".
void append_error_response(std::string& out, int status, std::string_view reason,
                           std::string_view extra_headers = {});

}  // namespace levelcast
