#pragma once
// RetryBackoff: when to try Redis again. The wait doubles from 0.1 s to 5 s, each one drawn at
// random from its upper half, so that many nodes losing Redis at once do not return in step.
// One owner thread.
#include <algorithm>
#include <cstdint>
#include <random>

namespace levelcast {

class RetryBackoff {
 public:
  static constexpr int64_t kFirstNs = 100'000'000;
  static constexpr int64_t kMaxNs = 5'000'000'000;

  explicit RetryBackoff(uint32_t seed) : random_(seed) {}
  // The wait before the next try, after a failed one.
  int64_t next() {
    ceiling_ = std::clamp(ceiling_ * 2, kFirstNs, kMaxNs);
    return std::uniform_int_distribution<int64_t>(ceiling_ / 2, ceiling_)(random_);
  }
  void reset() { ceiling_ = 0; }

 private:
  std::minstd_rand random_;
  int64_t ceiling_ = 0;
};

}  // namespace levelcast
