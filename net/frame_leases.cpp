#include "net/frame_leases.hpp"

#include "core/check.hpp"

namespace levelcast {

FrameLeases::~FrameLeases() { LC_CHECK(held_ == 0); }

HeldFrame* FrameLeases::hold(SharedFrame* frame) {
  if (free_ == nullptr) {
    auto chunk = std::make_unique<HeldFrame[]>(kChunk);
    for (size_t i = 0; i < kChunk; ++i) chunk[i].next_free = i + 1 < kChunk ? &chunk[i + 1] : nullptr;
    free_ = &chunk[0];
    chunks_.push_back(std::move(chunk));
  }
  HeldFrame* held = free_;
  free_ = held->next_free;
  held->frame = frame;
  held->users = 1;
  ++held_;
  return held;
}

void FrameLeases::unuse(HeldFrame* held) {
  LC_CHECK(held->users > 0);
  if (--held->users > 0) return;
  held->frame->release();
  held->frame = nullptr;
  held->next_free = free_;
  free_ = held;
  --held_;
}

}  // namespace levelcast
