#pragma once
// LineSplitter: cuts a byte stream that arrives in pieces into lines (without the '\n' and a
// trailing '\r'). A line longer than kMaxLine is passed on in kMaxLine pieces, so memory stays
// bounded whatever the writer does. Not thread-safe: one reader.
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace levelcast {

class LineSplitter {
 public:
  static constexpr size_t kMaxLine = 4096;

  // Calls on_line(std::string_view) for every line completed by `bytes`.
  template <typename OnLine>
  void feed(std::string_view bytes, OnLine&& on_line) {
    while (!bytes.empty()) {
      const size_t newline = bytes.find('\n');
      const size_t room = kMaxLine - pending_.size();  // never 0: a full line is emitted at once
      if (newline != std::string_view::npos && newline <= room) {
        pending_.append(bytes.substr(0, newline));
        bytes.remove_prefix(newline + 1);
        emit(on_line);
      } else {
        const size_t take = std::min(bytes.size(), room);
        pending_.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
        if (pending_.size() == kMaxLine) emit(on_line);
      }
    }
  }

  // Passes on an unfinished last line, if any (the writer has gone).
  template <typename OnLine>
  void flush(OnLine&& on_line) {
    if (!pending_.empty()) emit(on_line);
  }

 private:
  template <typename OnLine>
  void emit(OnLine& on_line) {
    if (!pending_.empty() && pending_.back() == '\r') pending_.pop_back();
    on_line(std::string_view(pending_));
    pending_.clear();
  }

  std::string pending_;
};

}  // namespace levelcast
