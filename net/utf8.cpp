#include "net/utf8.hpp"

#include <array>
#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace levelcast {
namespace {

// RFC 3629's table, by lead byte 0x80..0xFF: how many continuation bytes follow, and the range
// of the first one, which rules out overlongs, surrogates and code points above U+10FFFF.
struct LeadRule {
  uint8_t need = 0;  // 0: not a lead byte
  uint8_t low = 0x80;
  uint8_t high = 0xBF;
};

constexpr LeadRule lead_rule(unsigned byte) {
  if (byte >= 0xC2 && byte <= 0xDF) return {1, 0x80, 0xBF};
  if (byte == 0xE0) return {2, 0xA0, 0xBF};
  if (byte == 0xED) return {2, 0x80, 0x9F};
  if (byte >= 0xE1 && byte <= 0xEF) return {2, 0x80, 0xBF};
  if (byte == 0xF0) return {3, 0x90, 0xBF};
  if (byte >= 0xF1 && byte <= 0xF3) return {3, 0x80, 0xBF};
  if (byte == 0xF4) return {3, 0x80, 0x8F};
  return {};
}

constexpr std::array<LeadRule, 128> kLeadRules = [] {
  std::array<LeadRule, 128> rules{};
  for (unsigned b = 0; b < 128; ++b) rules[b] = lead_rule(0x80 + b);
  return rules;
}();

constexpr uint8_t kFailed = 0xFF;  // need_ once the input is invalid: sticky until reset()
constexpr uint64_t kHighBits = 0x8080808080808080ULL;

// Offset of the first byte with its top bit set in a word that has one.
size_t first_high_byte(uint64_t high_bits) {
  if constexpr (std::endian::native == std::endian::little) {
    return static_cast<size_t>(std::countr_zero(high_bits)) / 8;
  } else {
    return static_cast<size_t>(std::countl_zero(high_bits)) / 8;
  }
}

#if defined(__SSE2__)
__m128i load16(const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
__m128i splat(uint8_t byte) { return _mm_set1_epi8(static_cast<char>(byte)); }

bool is_ascii64(const uint8_t* p) {
  const __m128i any = _mm_or_si128(_mm_or_si128(load16(p), load16(p + 16)),
                                   _mm_or_si128(load16(p + 32), load16(p + 48)));
  return _mm_movemask_epi8(any) == 0;
}
#endif

// Length of the ASCII run at the front of p[0..n): the common case for JSON and text, so it is
// checked 64 bytes per step with SSE2 (baseline on x86-64) and a word at a time elsewhere.
size_t ascii_prefix(const uint8_t* p, size_t n) {
  size_t i = 0;
#if defined(__SSE2__)
  while (i + 64 <= n && is_ascii64(p + i)) i += 64;
  for (; i + 16 <= n; i += 16) {
    const int high = _mm_movemask_epi8(load16(p + i));
    if (high != 0) return i + static_cast<size_t>(std::countr_zero(static_cast<unsigned>(high)));
  }
#endif
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    if ((word & kHighBits) != 0) return i + first_high_byte(word & kHighBits);
  }
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

#if defined(__SSE2__)
// The bytes k positions earlier than those of `cur`, the first k taken from the end of `prev`.
template <int k>
__m128i earlier(__m128i cur, __m128i prev) {
  return _mm_or_si128(_mm_slli_si128(cur, k), _mm_srli_si128(prev, 16 - k));
}

// Nonzero bytes where the 16 bytes of `cur`, after those of `prev`, break UTF-8: a continuation
// byte where none is due or the reverse, a byte that is never valid, or a second byte out of its
// lead's range. All with SSE2 compares (signed: 0x80..0xBF are -128..-65).
__m128i block_errors(__m128i cur, __m128i prev) {
  const __m128i e1 = earlier<1>(cur, prev);
  const __m128i e2 = earlier<2>(cur, prev);
  const __m128i e3 = earlier<3>(cur, prev);
  // Due a continuation: 1 after a lead >= C0, 2 after one >= E0, 3 after one >= F0.
  const __m128i due = _mm_or_si128(_mm_subs_epu8(e1, splat(0xBF)),
                                   _mm_or_si128(_mm_subs_epu8(e2, splat(0xDF)),
                                                _mm_subs_epu8(e3, splat(0xEF))));
  const __m128i not_due = _mm_cmpeq_epi8(due, _mm_setzero_si128());
  const __m128i continuation = _mm_cmplt_epi8(cur, splat(0xC0));
  __m128i errors = _mm_cmpeq_epi8(not_due, continuation);
  // Never valid: C0, C1 (overlong) and F5..FF (beyond U+10FFFF).
  errors = _mm_or_si128(errors, _mm_cmpeq_epi8(_mm_and_si128(cur, splat(0xFE)), splat(0xC0)));
  errors = _mm_or_si128(errors, _mm_subs_epu8(cur, splat(0xF4)));
  // Second-byte ranges: E0 A0..BF, ED 80..9F, F0 90..BF, F4 80..8F; elsewhere no bound.
  const __m128i after_e0 = _mm_cmpeq_epi8(e1, splat(0xE0));
  const __m128i after_ed = _mm_cmpeq_epi8(e1, splat(0xED));
  const __m128i after_f0 = _mm_cmpeq_epi8(e1, splat(0xF0));
  const __m128i after_f4 = _mm_cmpeq_epi8(e1, splat(0xF4));
  const __m128i low = _mm_or_si128(splat(0x80),
                                   _mm_or_si128(_mm_and_si128(after_e0, splat(0x20)),
                                                _mm_and_si128(after_f0, splat(0x10))));
  const __m128i high = _mm_xor_si128(splat(0x7F),
                                     _mm_or_si128(_mm_and_si128(after_ed, splat(0xE0)),
                                                  _mm_and_si128(after_f4, splat(0xF0))));
  errors = _mm_or_si128(errors, _mm_cmplt_epi8(cur, low));
  return _mm_or_si128(errors, _mm_cmpgt_epi8(cur, high));
}

// Validates p[0..n), n >= 16, which starts on a code point boundary, 16 bytes at a time; sets
// `done` to a later boundary, leaving fewer than 19 bytes for the scalar code. False if invalid.
bool validate_blocks(const uint8_t* p, size_t n, size_t& done) {
  const __m128i zero = _mm_setzero_si128();
  // Bytes that may still be due continuations: a lead >= C0 last, >= E0 second last, >= F0
  // third last. Nonzero in `incomplete` when the previous block ended inside a sequence.
  const __m128i last_leads = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                           static_cast<char>(0xEF), static_cast<char>(0xDF),
                                           static_cast<char>(0xBF));
  __m128i prev = zero;
  __m128i incomplete = zero;
  __m128i errors = zero;
  size_t i = 0;
  while (i + 16 <= n) {
    const __m128i cur = load16(p + i);
    i += 16;
    if (_mm_movemask_epi8(cur) == 0) {
      errors = _mm_or_si128(errors, incomplete);
      incomplete = zero;
      prev = zero;
      while (i + 64 <= n && is_ascii64(p + i)) i += 64;
      continue;
    }
    errors = _mm_or_si128(errors, block_errors(cur, prev));
    incomplete = _mm_subs_epu8(cur, last_leads);
    prev = cur;
  }
  if (_mm_movemask_epi8(_mm_cmpeq_epi8(errors, zero)) != 0xFFFF) return false;
  // Hand a sequence cut by the last block to the scalar code, from its lead byte.
  done = i;
  for (size_t back = 1; back <= 3; ++back) {
    const uint8_t byte = p[i - back];
    if (byte < 0x80) break;
    if (byte >= 0xC0) {
      if (kLeadRules[byte - 0x80].need >= back) done = i - back;
      break;
    }
  }
  return true;
}
#endif

}  // namespace

// One byte at a time: used only where a sequence is cut by the end of a fragment.
bool Utf8Validator::feed_slow(uint8_t byte) {
  if (need_ > 0) {
    if (byte < low_ || byte > high_) return false;
    --need_;
    low_ = 0x80;
    high_ = 0xBF;
    return true;
  }
  if (byte < 0x80) return true;
  const LeadRule rule = kLeadRules[byte - 0x80];
  if (rule.need == 0) return false;
  need_ = rule.need;
  low_ = rule.low;
  high_ = rule.high;
  return true;
}

// A whole sequence in view is checked at once; one cut by the fragment's end goes byte by byte
// so that the state carries over and an impossible prefix fails at once (fail-fast).
bool Utf8Validator::feed(std::span<const uint8_t> bytes) {
  if (need_ == kFailed) return false;
  const uint8_t* p = bytes.data();
  const size_t n = bytes.size();
  size_t i = 0;
  const auto fail = [this] {
    need_ = kFailed;
    return false;
  };
  for (; i < n && need_ > 0; ++i) {
    if (!feed_slow(p[i])) return fail();
  }
  while (i < n) {
    if (p[i] < 0x80) {
      i += ascii_prefix(p + i, n - i);
      if (i == n) break;
    }
#if defined(__SSE2__)
    if (n - i >= 16) {  // from the first non-ASCII byte on, 16 bytes at a time
      size_t done = 0;
      if (!validate_blocks(p + i, n - i, done)) return fail();
      i += done;
      continue;
    }
#endif
    const LeadRule rule = kLeadRules[p[i] - 0x80];
    if (rule.need == 0) return fail();
    if (n - i <= rule.need) {
      for (; i < n; ++i) {
        if (!feed_slow(p[i])) return fail();
      }
      break;
    }
    if (p[i + 1] < rule.low || p[i + 1] > rule.high) return fail();
    for (size_t k = 2; k <= rule.need; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return fail();
    }
    i += rule.need + 1u;
  }
  return true;
}

bool is_valid_utf8(std::span<const uint8_t> bytes) {
  Utf8Validator v;
  return v.feed(bytes) && v.at_boundary();
}

}  // namespace levelcast
