#include "net/frame_history.hpp"

namespace levelcast {

void FrameHistory::push(HeldFrame* held, FrameLeases& leases) {
  FrameLeases::use(held);
  if (ring_.empty()) ring_.assign(capacity_, nullptr);
  if (count_ == ring_.size()) {
    leases.unuse(ring_[head_]);
    ring_[head_] = held;
    head_ = (head_ + 1) % ring_.size();
    return;
  }
  ring_[(head_ + count_) % ring_.size()] = held;
  ++count_;
}

size_t FrameHistory::first_at_or_after(uint64_t seq) const {
  size_t lo = 0, hi = count_;  // seqs rise along the ring
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (at(mid)->frame->seq() < seq) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

void FrameHistory::clear(FrameLeases& leases) {
  for (size_t i = 0; i < count_; ++i) leases.unuse(at(i));
  head_ = 0;
  count_ = 0;
}

}  // namespace levelcast
