#pragma once
// FrameLeases: a worker's own, non-atomic use counts on the shared frames it sends. The worker
// takes one atomic reference per frame (given by the publisher); connections that still have to
// write the frame count as plain users here, so a frame going to 10,000 subscribers costs one
// atomic release, not 10,000. Loop thread only.
#include <cstdint>
#include <memory>
#include <vector>

#include "core/shared_frame.hpp"

namespace levelcast {

struct HeldFrame {
  SharedFrame* frame = nullptr;
  uint32_t users = 0;
  HeldFrame* next_free = nullptr;
};

class FrameLeases {
 public:
  FrameLeases() = default;
  FrameLeases(const FrameLeases&) = delete;
  FrameLeases& operator=(const FrameLeases&) = delete;
  ~FrameLeases();

  // Adopts one reference of `frame`; the caller is its first user.
  HeldFrame* hold(SharedFrame* frame);
  static void use(HeldFrame* held) { ++held->users; }
  // Drops a user; the last one gives the worker's reference back.
  void unuse(HeldFrame* held);
  size_t held_count() const { return held_; }

 private:
  static constexpr size_t kChunk = 256;
  std::vector<std::unique_ptr<HeldFrame[]>> chunks_;  // grows, never shrinks: no churn
  HeldFrame* free_ = nullptr;
  size_t held_ = 0;
};

}  // namespace levelcast
