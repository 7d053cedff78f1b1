// Fuzzes net/utf8 against the reference in utf8_reference.hpp: the whole-buffer verdict, and
// Utf8Validator::feed over random splits and byte by byte, which must fail exactly when the bytes
// fed so far stop being the prefix of any valid string (fail-fast, and never too early).
//
// Input: [split count n (low 4 bits)] [n split lengths] [text...]
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "net/utf8.hpp"
#include "tests/fuzz/invariant.hpp"
#include "tests/fuzz/utf8_reference.hpp"

namespace {

using levelcast::Utf8Validator;
using levelcast::fuzz::require;


// Feeds `text` in pieces of the given lengths (cycled; a 0 feeds an empty piece), each copied to
// the end of a heap buffer so that ASan sees any read past the piece.
void check_splits(std::span<const uint8_t> text, std::span<const uint8_t> lengths) {
  bool any_length = false;
  for (uint8_t n : lengths) any_length = any_length || n != 0;
  if (!any_length) lengths = {};
  const size_t extendable = levelcast::fuzz::utf8_extendable_prefix(text);
  const std::vector<bool> valid = levelcast::fuzz::utf8_valid_prefixes(text);
  std::vector<uint8_t> buffer(text.size());
  Utf8Validator v;
  size_t pos = 0;
  bool failed = false;
  for (size_t turn = 0; pos < text.size() || turn == 0; ++turn) {
    size_t n = lengths.empty() ? text.size() : lengths[turn % lengths.size()];
    if (n > text.size() - pos) n = text.size() - pos;
    uint8_t* piece = buffer.data() + buffer.size() - n;
    std::copy(text.begin() + pos, text.begin() + pos + n, piece);
    pos += n;
    const bool ok = v.feed({piece, n});
    require(ok == (pos <= extendable), "feed() disagrees with the reference on a prefix");
    require(!(failed && ok), "feed() accepted after failing");
    failed = !ok;
    if (ok) {
      require(v.at_boundary() == valid[pos],
              "at_boundary() disagrees with the reference on a prefix");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::span<const uint8_t> input(data, size);
  const size_t splits = input[0] & 0x0F;
  if (size < 1 + splits) return 0;
  const auto lengths = input.subspan(1, splits);
  const auto text = input.subspan(1 + splits);

  const std::vector<uint8_t> exact(text.begin(), text.end());
  require(levelcast::is_valid_utf8(exact) == levelcast::fuzz::utf8_valid(text),
          "is_valid_utf8() disagrees with the reference");
  check_splits(text, lengths);
  check_splits(text, {});  // one piece
  static const uint8_t kOneByte[] = {1};
  check_splits(text, kOneByte);  // every prefix
  return 0;
}
