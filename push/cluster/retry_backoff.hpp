#pragma once
// RetryBackoff: when to try Redis again. The wait doubles from 0.1 s to 2 s, each one drawn at
// random from its upper half, so that many nodes losing Redis at once do not return in step.
// The 2 s ceiling (not 5 s) keeps a node's return within 2 s of Redis's however long it was
// away; a try costs a refused connect, so a node waiting on Redis still uses about 1 ms of
// CPU a second (docs/CLUSTER.md, measured with both ceilings).
// One owner thread.
#include <algorithm>
#include <cstdint>
#include <random>

namespace levelcast {

class RetryBackoff {
 public:
  static constexpr int64_t kFirstNs = 100'000'000;
  static constexpr int64_t kMaxNs = 2'000'000'000;

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
