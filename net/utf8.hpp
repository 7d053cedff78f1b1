#pragma once
// Incremental UTF-8 validator (RFC 3629): fed fragment by fragment, it fails as soon as the bytes
// seen can no longer begin a valid string, so a text message is rejected fail-fast. 3 bytes of
// state. Not thread-safe; one per message being received.
#include <cstddef>
#include <cstdint>
#include <span>

namespace levelcast {

class Utf8Validator {
 public:
  // False once the input is invalid; the validator then stays failed until reset().
  bool feed(std::span<const uint8_t> bytes);
  // True when the bytes fed so far end on a code point boundary.
  bool at_boundary() const { return need_ == 0; }
  void reset() { *this = Utf8Validator{}; }

 private:
  bool feed_slow(uint8_t byte);

  uint8_t need_ = 0;    // continuation bytes still expected
  uint8_t low_ = 0x80;  // allowed range of the next continuation byte
  uint8_t high_ = 0xBF;
};

// Whole-buffer check, for close reasons and tests.
bool is_valid_utf8(std::span<const uint8_t> bytes);

}  // namespace levelcast
