#pragma once
// Decoding of a Server-Sent Events stream as levelcast writes it: events separated by a blank
// line ("\n\n"), each with at most one data line. Pure, like server_frame_parser.hpp: the caller
// keeps an incomplete tail and presents it again with more bytes. Safe from any thread.
#include <cstddef>
#include <string_view>

namespace levelcast::load {

struct EventScan {
  std::size_t consumed = 0;  // bytes of the complete events handed to the sink
};

// Hands the data of every complete event at the front of `bytes` to `sink(std::string_view
// data, bool named)` (`named`: it has an "event:" line, such as ended or missed); events without
// data (the retry line, ": ping" comments) are skipped.
template <class EventSink>
EventScan scan_sse_events(std::string_view bytes, EventSink&& sink) {
  EventScan scan;
  while (true) {
    const std::size_t end = bytes.find("\n\n", scan.consumed);
    if (end == std::string_view::npos) return scan;
    std::string_view event = bytes.substr(scan.consumed, end + 1 - scan.consumed);
    scan.consumed = end + 2;
    std::string_view data;
    bool named = false;
    while (!event.empty()) {
      const std::size_t line_end = event.find('\n');
      const std::string_view line = event.substr(0, line_end);
      event.remove_prefix(line_end + 1);
      if (line.starts_with("data: ")) data = line.substr(6);
      if (line.starts_with("event:")) named = true;
    }
    if (!data.empty()) sink(data, named);
  }
}

}  // namespace levelcast::load
