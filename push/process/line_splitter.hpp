#pragma once
// LineSplitter: cuts a byte stream that arrives in pieces into lines (without the '\n' and a
// trailing '\r'). A line longer than max_line bytes is passed on in pieces of at most max_line
// bytes, so memory stays bounded whatever the writer does; each cut falls on a UTF-8 character
// boundary (the bytes of a character split by the limit start the next piece), so valid text
// stays valid in every piece. Not thread-safe: one reader.
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace levelcast {

class LineSplitter {
 public:
  static constexpr size_t kMaxLine = 4096;  // the default limit
  static constexpr size_t kMinMaxLine = 4;  // room for the longest UTF-8 character

  explicit LineSplitter(size_t max_line = kMaxLine) : max_line_(std::max(max_line, kMinMaxLine)) {}

  // Calls on_line(std::string_view) for every line completed by `bytes`.
  template <typename OnLine>
  void feed(std::string_view bytes, OnLine&& on_line) {
    while (!bytes.empty()) {
      // A full pending_ is cut only once a byte that does not end the line follows, so the
      // pieces do not depend on where the reads happened to split the stream.
      if (pending_.size() == max_line_ && bytes.front() != '\n') emit(on_line, character_boundary(), false);
      const size_t room = max_line_ - pending_.size();
      const size_t newline = bytes.find('\n');
      if (newline != std::string_view::npos && newline <= room) {
        pending_.append(bytes.substr(0, newline));
        bytes.remove_prefix(newline + 1);
        emit(on_line, pending_.size(), true);
      } else {
        const size_t take = std::min(bytes.size(), room);
        pending_.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
      }
    }
  }

  // Passes on an unfinished last line, if any (the writer has gone).
  template <typename OnLine>
  void flush(OnLine&& on_line) {
    if (!pending_.empty()) emit(on_line, pending_.size(), true);
  }

  size_t max_line() const { return max_line_; }

 private:
  // Where to cut a full pending_: before the last character when its bytes are not all there.
  // Text that is not UTF-8 is cut at the limit (it is not valid either way).
  size_t character_boundary() const {
    const auto byte = [this](size_t i) { return static_cast<unsigned char>(pending_[i]); };
    size_t start = pending_.size();
    while (start > 0 && pending_.size() - start < 4 && (byte(start - 1) & 0xC0) == 0x80) --start;
    if (start == 0 || pending_.size() - start >= 4) return pending_.size();
    const unsigned char lead = byte(start - 1);
    const size_t length = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3
                        : (lead & 0xF8) == 0xF0 ? 4 : 1;
    const size_t have = pending_.size() - (start - 1);
    return have < length ? start - 1 : pending_.size();
  }

  // Passes on the first `length` bytes of pending_ as a line, or as a piece of one when the
  // line goes on; the rest starts the next piece. Only a line's end loses its '\r'.
  template <typename OnLine>
  void emit(OnLine& on_line, size_t length, bool line_end) {
    std::string_view line(pending_.data(), length);
    if (line_end && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    on_line(line);
    pending_.erase(0, length);
  }

  size_t max_line_;
  std::string pending_;
};

}  // namespace levelcast
