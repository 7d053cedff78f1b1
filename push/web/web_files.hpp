#pragma once
// WebFile: one file of the web page as compiled into the binary. The table is generated at
// build time from web/* by cmake/EmbedWeb.cmake (into the build tree's web_files.cpp); it is
// constant data, safe to read from any thread.
#include <cstdint>
#include <span>
#include <string_view>

namespace levelcast {

struct WebFile {
  std::string_view path;          // "/index.html": '/' and the path below web/
  std::string_view bytes;         // the file's contents
  std::string_view content_type;  // web_content_type(path)
  int64_t modified = 0;           // modification time, seconds since the Unix epoch
};

// Every embedded file, sorted by path. Defined in the generated web_files.cpp.
std::span<const WebFile> embedded_web_files();

// The Content-Type for a file name, by its extension; the same for embedded files and for
// --static-dir.
constexpr std::string_view web_content_type(std::string_view path) {
  struct Type {
    std::string_view extension;
    std::string_view content_type;
  };
  constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".md", "text/markdown; charset=utf-8"},
      {".txt", "text/plain; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".wasm", "application/wasm"},
  };
  const size_t slash = path.rfind('/');
  const size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  const std::string_view extension = path.substr(dot);
  for (const Type& type : kTypes) {
    if (type.extension.size() != extension.size()) continue;
    bool same = true;
    for (size_t i = 0; i < extension.size(); ++i) {
      const char c = extension[i];
      const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      same = same && lower == type.extension[i];
    }
    if (same) return type.content_type;
  }
  return "application/octet-stream";
}

}  // namespace levelcast
