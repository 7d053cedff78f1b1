// Fuzzes push/process/line_splitter.hpp: whatever the bytes and however they are split, every piece
// is at most max_line bytes, the pieces do not depend on the splits, no byte is lost but the
// newlines and the '\r' before them, and valid UTF-8 comes out as valid UTF-8 pieces.
//
// Input: [max_line - 4] [split count n (low 4 bits)] [n split lengths] [text...]
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/utf8.hpp"
#include "push/process/line_splitter.hpp"
#include "tests/fuzz/invariant.hpp"

namespace {

using levelcast::LineSplitter;
using levelcast::fuzz::require;

std::vector<std::string> split(size_t max_line, std::string_view text, std::span<const uint8_t> lengths) {
  LineSplitter splitter(max_line);
  std::vector<std::string> pieces;
  const auto collect = [&](std::string_view piece) { pieces.emplace_back(piece); };
  size_t pos = 0;
  for (size_t turn = 0; pos < text.size(); ++turn) {
    size_t n = lengths.empty() ? text.size() : lengths[turn % lengths.size()];
    if (n > text.size() - pos) n = text.size() - pos;
    // Each piece copied to a buffer of its own size, so that ASan sees a read past it.
    const std::string piece(text.substr(pos, n));
    splitter.feed(piece, collect);
    pos += n;
  }
  splitter.flush(collect);
  return pieces;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t max_line = size_t{4} + data[0];
  const size_t count = data[1] & 0x0F;
  if (size < 2 + count) return 0;
  std::span<const uint8_t> lengths(data + 2, count);
  bool any_length = false;
  for (const uint8_t n : lengths) any_length = any_length || n != 0;
  if (!any_length) lengths = {};
  const std::string_view text(reinterpret_cast<const char*>(data + 2 + count), size - 2 - count);

  const std::vector<std::string> whole = split(max_line, text, {});
  require(split(max_line, text, lengths) == whole, "the pieces depend on how the bytes arrive");
  size_t emitted = 0;
  const bool valid = levelcast::is_valid_utf8({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  for (const std::string& piece : whole) {
    require(piece.size() <= max_line, "a piece is longer than max_line");
    require(!valid || levelcast::is_valid_utf8({reinterpret_cast<const uint8_t*>(piece.data()), piece.size()}),
            "valid UTF-8 was cut inside a character");
    emitted += piece.size();
  }
  size_t newlines = 0;
  for (const char c : text) newlines += c == '\n' ? 1 : 0;
  require(emitted + newlines <= text.size(), "bytes appeared");
  require(text.size() <= emitted + 2 * newlines + 1, "bytes other than newlines and their '\\r' were lost");
  return 0;
}
