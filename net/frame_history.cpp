#include "net/frame_history.hpp"

namespace levelcast {

void FrameHistory::push(HeldFrame* held, FrameLeases& leases) {
  FrameLeases::use(held);
  if (count_ == ring_.size()) {
    leases.unuse(ring_[head_]);
    ring_[head_] = held;
    head_ = (head_ + 1) % ring_.size();
    return;
  }
  ring_[(head_ + count_) % ring_.size()] = held;
  ++count_;
}

void FrameHistory::clear(FrameLeases& leases) {
  for (size_t i = 0; i < count_; ++i) leases.unuse(at(i));
  head_ = 0;
  count_ = 0;
}

}  // namespace levelcast
