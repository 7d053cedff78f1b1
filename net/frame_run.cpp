#include "net/frame_run.hpp"

#include <algorithm>
#include <utility>

#include "core/check.hpp"

namespace levelcast {

void FrameRun::swap(FrameRun& other) noexcept {
  std::swap(slots_, other.slots_);
  std::swap(head_, other.head_);
  std::swap(count_, other.count_);
  std::swap(capacity_, other.capacity_);
  std::swap(bytes_, other.bytes_);
  std::swap(head_offset_, other.head_offset_);
}

void FrameRun::push(HeldFrame* held, uint32_t capacity) {
  capacity = std::clamp<uint32_t>(capacity, 1, UINT16_MAX);
  if (count_ == capacity_) {  // first use, or a larger bound: move into a bigger ring
    LC_CHECK(count_ < capacity);
    auto* grown = new HeldFrame*[capacity];
    for (size_t i = 0; i < count_; ++i) grown[i] = at(i);
    delete[] slots_;
    slots_ = grown;
    head_ = 0;
    capacity_ = static_cast<uint16_t>(capacity);
  }
  FrameLeases::use(held);
  slots_[(head_ + count_) % capacity_] = held;
  ++count_;
  bytes_ += static_cast<uint32_t>(held->frame->size());
}

void FrameRun::start_at(uint32_t offset) {
  LC_CHECK(count_ > 0 && head_offset_ == 0 && offset < at(0)->frame->size());
  head_offset_ = offset;
}

void FrameRun::pop(FrameLeases& leases) {
  HeldFrame* held = slots_[head_];
  bytes_ -= static_cast<uint32_t>(held->frame->size());
  head_ = static_cast<uint16_t>((head_ + 1) % capacity_);
  --count_;
  head_offset_ = 0;
  leases.unuse(held);
}

uint32_t FrameRun::consume(size_t n, FrameLeases& leases) {
  uint32_t completed = 0;
  while (n > 0 && count_ > 0) {
    const size_t left = at(0)->frame->size() - head_offset_;
    if (n < left) {
      head_offset_ += static_cast<uint32_t>(n);
      return completed;
    }
    n -= left;
    pop(leases);
    ++completed;
  }
  LC_CHECK(n == 0);
  return completed;
}

uint32_t FrameRun::drop_unstarted(FrameLeases& leases) {
  const size_t keep = head_offset_ > 0 ? 1 : 0;
  uint32_t dropped = 0;
  while (count_ > keep) {
    HeldFrame* last = at(count_ - 1);
    bytes_ -= static_cast<uint32_t>(last->frame->size());
    --count_;
    leases.unuse(last);
    ++dropped;
  }
  return dropped;
}

void FrameRun::clear(FrameLeases& leases) {
  while (count_ > 0) pop(leases);
}

}  // namespace levelcast
