#pragma once
// LineRateLimit: a token bucket for the stderr lines of one child. Up to kBurst lines pass at
// once, then kLinesPerSecond; the rest are counted as suppressed, and the count is handed out
// once (take_suppressed) so that the log says how many went missing. A pure policy: the clock
// is passed in. While the bucket is empty the reader stops reading stderr until the next token
// (ms_until_token), so a command that floods stderr is slowed by its full pipe instead of
// costing the server a core.
//
// Threads: one owner (the CommandStream's reading thread).
#include <algorithm>
#include <cstdint>
#include <utility>

namespace levelcast {

class LineRateLimit {
 public:
  static constexpr int64_t kLinesPerSecond = 20;
  static constexpr int64_t kBurst = 100;
  static constexpr int64_t kMsPerToken = 1000 / kLinesPerSecond;

  // True when the line may be logged; otherwise it is counted as suppressed.
  bool admit(int64_t now_ms) {
    refill(now_ms);
    if (tokens_ > 0) {
      --tokens_;
      return true;
    }
    ++suppressed_;
    return false;
  }
  // Lines suppressed since the last call.
  uint64_t take_suppressed() { return std::exchange(suppressed_, 0); }
  // 0 when a line would pass now, else the milliseconds until one would.
  int64_t ms_until_token(int64_t now_ms) {
    refill(now_ms);
    return tokens_ > 0 ? 0 : std::max<int64_t>(1, last_refill_ms_ + kMsPerToken - now_ms);
  }

 private:
  void refill(int64_t now_ms) {
    if (!started_) {
      started_ = true;
      last_refill_ms_ = now_ms;
      return;
    }
    const int64_t earned = (now_ms - last_refill_ms_) / kMsPerToken;
    if (earned <= 0) return;
    tokens_ = std::min(kBurst, tokens_ + earned);
    last_refill_ms_ = tokens_ == kBurst ? now_ms : last_refill_ms_ + earned * kMsPerToken;
  }

  int64_t tokens_ = kBurst;
  int64_t last_refill_ms_ = 0;
  uint64_t suppressed_ = 0;
  bool started_ = false;
};

}  // namespace levelcast
