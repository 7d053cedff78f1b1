#pragma once
// A plain UTF-8 reference for the fuzzers, written to be obviously right rather than fast, and
// independent of net/utf8.cpp: it decodes code points by the bit patterns of RFC 3629's table
//
//   U+0000..U+007F     0xxxxxxx
//   U+0080..U+07FF     110xxxxx 10xxxxxx
//   U+0800..U+FFFF     1110xxxx 10xxxxxx 10xxxxxx
//   U+10000..U+10FFFF  11110xxx 10xxxxxx 10xxxxxx 10xxxxxx
//
// and then rejects overlong forms (a code point below its length's range), the surrogates
// U+D800..U+DFFF and anything above U+10FFFF.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace levelcast::fuzz {

struct Utf8Form {
  size_t length;      // bytes in the sequence, 0 for a byte that cannot begin one
  uint32_t payload;   // the lead byte's code point bits
  uint32_t min;       // smallest code point of this length (smaller ones are overlong)
  uint32_t max;
};

inline Utf8Form utf8_form(uint8_t lead) {
  if ((lead & 0x80) == 0x00) return {1, lead, 0x0, 0x7F};
  if ((lead & 0xE0) == 0xC0) return {2, lead & 0x1Fu, 0x80, 0x7FF};
  if ((lead & 0xF0) == 0xE0) return {3, lead & 0x0Fu, 0x800, 0xFFFF};
  if ((lead & 0xF8) == 0xF0) return {4, lead & 0x07u, 0x10000, 0x10FFFF};
  return {0, 0, 0, 0};
}

inline bool is_continuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

// True when the first `k` bytes of a sequence (k <= its length) can be completed to a valid
// code point. The missing continuation bytes are free low bits, so the completions are the
// contiguous range [lowest, highest] got by filling them with 10000000 and 10111111.
inline bool completable(const uint8_t* seq, size_t k) {
  if (k == 0) return true;
  const Utf8Form form = utf8_form(seq[0]);
  if (form.length == 0 || k > form.length) return false;
  uint32_t lowest = form.payload;
  uint32_t highest = form.payload;
  for (size_t j = 1; j < form.length; ++j) {
    if (j < k && !is_continuation(seq[j])) return false;
    const uint32_t bits = j < k ? (seq[j] & 0x3Fu) : 0;
    lowest = (lowest << 6) | bits;
    highest = (highest << 6) | (j < k ? bits : 0x3Fu);
  }
  const uint32_t from = lowest > form.min ? lowest : form.min;
  const uint32_t to = highest < form.max ? highest : form.max;
  if (from > to) return false;
  const bool only_surrogates = from >= 0xD800 && to <= 0xDFFF;
  return !only_surrogates;
}

// Length of the longest prefix of `s` that some valid UTF-8 string begins with. A validator that
// fails fast must accept exactly the prefixes up to this length.
inline size_t utf8_extendable_prefix(std::span<const uint8_t> s) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t length = utf8_form(s[i]).length;
    const size_t present = length == 0 ? 1 : (length < s.size() - i ? length : s.size() - i);
    size_t k = present;
    while (k > 0 && !completable(&s[i], k)) --k;
    if (k < length || length == 0) return i + k;
    i += length;
  }
  return i;
}

// True when `s` is a whole valid UTF-8 string: every byte fits and no sequence is cut short.
inline bool utf8_valid(std::span<const uint8_t> s) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t length = utf8_form(s[i]).length;
    if (length == 0 || length > s.size() - i || !completable(&s[i], length)) return false;
    i += length;
  }
  return true;
}

// For each length p in 0..size, whether the first p bytes of `s` are a whole valid string.
inline std::vector<bool> utf8_valid_prefixes(std::span<const uint8_t> s) {
  std::vector<bool> valid(s.size() + 1, false);
  size_t i = 0;
  valid[0] = true;
  while (i < s.size()) {
    const size_t length = utf8_form(s[i]).length;
    if (length == 0 || length > s.size() - i || !completable(&s[i], length)) break;
    i += length;
    valid[i] = true;
  }
  return valid;
}

}  // namespace levelcast::fuzz
