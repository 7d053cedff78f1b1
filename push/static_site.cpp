#include "push/static_site.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <optional>

#include <fmt/format.h>

#include "core/log.hpp"
#include "push/web/web_files.hpp"

namespace levelcast {

struct StaticSite::Lookup {
  bool found = false;
  std::string_view content_type;
  int64_t modified = 0;
  std::string_view embedded;  // the embedded file's bytes
  UniqueFd file;              // --static-dir: the open file, read only when the body is sent
  struct stat st{};
  size_t size = 0;
};

namespace {

// Files are read whole into a shared buffer: a bigger one is refused rather than held in memory.
constexpr size_t kMaxFileBytes = size_t{16} << 20;
constexpr size_t kCacheBytes = size_t{64} << 20;

constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// RFC 9110 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT"; spelled by hand to stay locale-free.
std::string http_date(int64_t seconds) {
  const auto t = static_cast<time_t>(seconds);
  tm parts{};
  gmtime_r(&t, &parts);
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} GMT", kDays[parts.tm_wday], parts.tm_mday,
                     kMonths[parts.tm_mon], parts.tm_year + 1900, parts.tm_hour, parts.tm_min,
                     parts.tm_sec);
}

bool parse_number(std::string_view text, int& out) {
  out = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return !text.empty();
}

// The IMF-fixdate form only: the one browsers send back from Last-Modified.
std::optional<int64_t> parse_http_date(std::string_view text) {
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") return {};
  tm parts{};
  int month = -1;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == text.substr(8, 3)) month = static_cast<int>(i);
  }
  if (month < 0 || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' || text[19] != ':' ||
      text[22] != ':') {
    return {};
  }
  int year = 0;
  if (!parse_number(text.substr(5, 2), parts.tm_mday) || !parse_number(text.substr(12, 4), year) ||
      !parse_number(text.substr(17, 2), parts.tm_hour) ||
      !parse_number(text.substr(20, 2), parts.tm_min) ||
      !parse_number(text.substr(23, 2), parts.tm_sec)) {
    return {};
  }
  parts.tm_mon = month;
  parts.tm_year = year - 1900;
  return static_cast<int64_t>(timegm(&parts));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes the request path and refuses what could name something outside the site or
// hidden in it: a bad escape, a NUL, an empty segment, a segment starting with '.' (".", "..",
// ".git"). A path ending in '/' names that folder's index.html. The openat2/realpath checks
// below stay the real guard; this keeps the obvious cases away from the file system.
bool decode_path(std::string_view raw, std::string& out) {
  if (raw.empty() || raw.front() != '/') return false;
  out.clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      const int high = i + 2 < raw.size() ? hex_value(raw[i + 1]) : -1;
      const int low = high >= 0 ? hex_value(raw[i + 2]) : -1;
      if (low < 0) return false;
      c = static_cast<char>(high * 16 + low);
      i += 2;
    }
    if (c == '\0') return false;
    if (!out.empty() && out.back() == '/' && (c == '/' || c == '.')) return false;
    out.push_back(c);
  }
  if (out.back() == '/') out.append("index.html");
  return true;
}

// openat2 with RESOLVE_BENEATH: the kernel resolves the path, symlinks included, and fails
// with EXDEV for anything that would leave `root`. O_NONBLOCK: opening a FIFO must not stall
// the worker (it is refused below as not a regular file).
constexpr int kOpenFlags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

int open_beneath(int root, const std::string& relative, bool& unsupported) {
  open_how how{};
  how.flags = kOpenFlags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  const long fd = ::syscall(SYS_openat2, root, relative.c_str(), &how, sizeof(how));
  unsupported = fd < 0 && (errno == ENOSYS || errno == EPERM);  // old kernel, or seccomp
  return static_cast<int>(fd);
}

// Without openat2: resolve every symlink first, check the result is still under the root, and
// open that resolved path without following a symlink at its end.
int open_resolved_under(const std::string& real_root, const std::string& relative) {
  char resolved[PATH_MAX];
  const std::string joined = real_root + "/" + relative;
  if (::realpath(joined.c_str(), resolved) == nullptr) return -1;
  const std::string_view result(resolved);
  if (!result.starts_with(real_root) || result.size() <= real_root.size() ||
      (result[real_root.size()] != '/' && real_root != "/")) {
    return -1;
  }
  return ::open(resolved, kOpenFlags | O_NOFOLLOW);
}

void respond(RouteDecision& d, int status, std::string body) {
  d.action = RouteDecision::Action::respond;
  d.status = status;
  d.content_type = "text/plain; charset=utf-8";
  d.body = std::move(body);
}

bool not_modified_since(const HttpRequest& request, int64_t modified) {
  const std::string_view* since = request.header("If-Modified-Since");
  if (since == nullptr) return false;
  const std::optional<int64_t> time = parse_http_date(*since);
  return time && modified <= *time;
}

}  // namespace

StaticSite::StaticSite(std::string directory) : directory_(std::move(directory)), cache_(kCacheBytes) {
  if (directory_.empty()) return;
  root_.reset(::open(directory_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  char resolved[PATH_MAX];
  if (!root_.valid() || ::realpath(directory_.c_str(), resolved) == nullptr) {
    LC_LOG(warn, "--static-dir {}: cannot open it; every page will be 404", directory_);
    root_.reset();
    return;
  }
  real_root_ = resolved;
}

StaticSite::Lookup StaticSite::find_embedded(const std::string& path) const {
  Lookup lookup;
  for (const WebFile& file : embedded_web_files()) {
    if (file.path != path) continue;
    lookup.found = true;
    lookup.content_type = file.content_type;
    lookup.modified = file.modified;
    lookup.embedded = file.bytes;
    lookup.size = file.bytes.size();
    break;
  }
  return lookup;
}

StaticSite::Lookup StaticSite::find_in_directory(const std::string& path) const {
  Lookup lookup;
  if (!root_.valid()) return lookup;
  const std::string relative = path.substr(1);
  bool unsupported = false;
  lookup.file.reset(open_beneath(root_.get(), relative, unsupported));
  if (unsupported) lookup.file.reset(open_resolved_under(real_root_, relative));
  struct stat& st = lookup.st;
  if (!lookup.file.valid() || ::fstat(lookup.file.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return lookup;
  }
  lookup.found = true;
  lookup.content_type = web_content_type(path);
  lookup.modified = static_cast<int64_t>(st.st_mtim.tv_sec);
  lookup.size = static_cast<size_t>(st.st_size);
  return lookup;
}

void StaticSite::serve(const HttpRequest& request, RouteDecision& d) const {
  std::string path;
  Lookup lookup;
  if (decode_path(request.path, path)) {
    lookup = directory_.empty() ? find_embedded(path) : find_in_directory(path);
  }
  if (!lookup.found) return respond(d, 404, "Not Found: no such file\n");
  if (request.method != "GET" && request.method != "HEAD") {
    respond(d, 405, "Method Not Allowed: only GET and HEAD\n");
    d.extra_headers = "Allow: GET, HEAD\r\n";
    return;
  }
  d.head_only = request.method == "HEAD";
  if (lookup.size > kMaxFileBytes) return respond(d, 403, "Forbidden: file over 16 MiB\n");
  d.extra_headers = fmt::format("Last-Modified: {}\r\nCache-Control: no-cache\r\n",
                                http_date(lookup.modified));
  if (not_modified_since(request, lookup.modified)) return respond(d, 304, "");
  if (!lookup.file.valid()) {
    respond(d, 200, std::string(lookup.embedded));  // small, and part of the binary
  } else if (d.head_only) {
    respond(d, 200, "");
    d.content_length = lookup.size;
  } else if (FrameRef bytes = cache_.get(path, lookup.file.get(), lookup.st)) {
    respond(d, 200, "");
    d.shared_body = std::move(bytes);
  } else {
    d.extra_headers.clear();
    return respond(d, 500, "Internal Server Error: cannot read the file\n");
  }
  d.content_type = lookup.content_type;
}

}  // namespace levelcast
