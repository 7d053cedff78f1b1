#include "net/utf8.hpp"

#include <cstring>

namespace levelcast {
namespace {
constexpr uint64_t kHighBits = 0x8080808080808080ULL;

// Skips the ASCII prefix 16 bytes at a time: the common case for JSON and text.
size_t ascii_prefix(const uint8_t* p, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    uint64_t a, b;
    std::memcpy(&a, p + i, 8);
    std::memcpy(&b, p + i + 8, 8);
    if ((a | b) & kHighBits) break;
  }
  return i;
}
}  // namespace

bool Utf8Validator::feed_slow(uint8_t byte) {
  if (need_ > 0) {
    if (byte < low_ || byte > high_) return false;
    --need_;
    low_ = 0x80;
    high_ = 0xBF;
    return true;
  }
  if (byte < 0x80) return true;
  // Lead bytes: the first continuation's range rules out overlongs, surrogates and > U+10FFFF.
  if (byte >= 0xC2 && byte <= 0xDF) {
    need_ = 1;
  } else if (byte == 0xE0) {
    need_ = 2, low_ = 0xA0;
  } else if (byte == 0xED) {
    need_ = 2, high_ = 0x9F;
  } else if (byte >= 0xE1 && byte <= 0xEF) {
    need_ = 2;
  } else if (byte == 0xF0) {
    need_ = 3, low_ = 0x90;
  } else if (byte >= 0xF1 && byte <= 0xF3) {
    need_ = 3;
  } else if (byte == 0xF4) {
    need_ = 3, high_ = 0x8F;
  } else {
    return false;
  }
  return true;
}

bool Utf8Validator::feed(std::span<const uint8_t> bytes) {
  if (need_ == 0xFF) return false;
  const uint8_t* p = bytes.data();
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    if (need_ == 0) {
      i += ascii_prefix(p + i, n - i);
      if (i == n) break;
    }
    if (!feed_slow(p[i])) {
      need_ = 0xFF;  // sticky failure
      return false;
    }
    ++i;
  }
  return true;
}

bool is_valid_utf8(std::span<const uint8_t> bytes) {
  Utf8Validator v;
  return v.feed(bytes) && v.at_boundary();
}

}  // namespace levelcast
