#include "net/sse.hpp"

#include <fmt/format.h>

namespace levelcast {

void append_sse_event(std::string& out, uint64_t id, std::string_view event, std::string_view data) {
  auto it = std::back_inserter(out);
  if (id != 0) fmt::format_to(it, "id: {}\n", id);
  if (!event.empty()) fmt::format_to(it, "event: {}\n", event);
  while (true) {
    const size_t end = data.find_first_of("\r\n");
    out.append("data: ").append(data.substr(0, end)).push_back('\n');
    if (end == std::string_view::npos) break;
    const size_t skip = data.compare(end, 2, "\r\n") == 0 ? 2 : 1;
    data.remove_prefix(end + skip);
  }
  out.push_back('\n');
}

void append_sse_retry(std::string& out, int64_t retry_ms) {
  fmt::format_to(std::back_inserter(out), "retry: {}\n\n", retry_ms);
}

}  // namespace levelcast
