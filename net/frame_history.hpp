#pragma once
// FrameHistory: a worker's last N snapshot frames of one channel, oldest first, for clients that
// resume with ?since=SEQ. Each held frame counts as one user of its HeldFrame. Because every
// worker keeps the history of exactly the frames it received, replay then live delivery has no
// gap and no duplicate. Loop thread only.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "net/frame_leases.hpp"

namespace levelcast {

class FrameHistory {
 public:
  // The ring is allocated at the first push: a channel that never carries snapshots costs
  // nothing, however large the capacity.
  explicit FrameHistory(size_t capacity) : capacity_(capacity) {}
  FrameHistory(FrameHistory&&) = default;
  FrameHistory& operator=(FrameHistory&&) = default;

  // Appends a snapshot frame, dropping the oldest when full.
  void push(HeldFrame* held, FrameLeases& leases);
  void clear(FrameLeases& leases);
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // i = 0 is the oldest.
  HeldFrame* at(size_t i) const { return ring_[(head_ + i) % ring_.size()]; }
  uint64_t oldest_seq() const { return at(0)->frame->seq(); }
  uint64_t newest_seq() const { return at(count_ - 1)->frame->seq(); }
  // The index of the first held frame whose seq is >= `seq` (size() if none).
  size_t first_at_or_after(uint64_t seq) const;

 private:
  std::vector<HeldFrame*> ring_;
  size_t capacity_;
  size_t head_ = 0;
  size_t count_ = 0;
};

}  // namespace levelcast
