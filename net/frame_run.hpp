#pragma once
// FrameRun: the shared frames one connection still has to write, oldest first, as references
// to the worker's HeldFrames (never copies). A ring whose storage is allocated the first time
// the connection falls behind and kept until the connection goes away, so queueing a frame
// never allocates. The first frame may be partly written (head_offset()). Loop thread only.
// 24 bytes.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "net/frame_leases.hpp"

namespace levelcast {

// How much a connection may hold queued: past either bound, latest value wins.
struct PendingBound {
  uint32_t frames = 64;
  uint32_t bytes = 64 * 1024;
};

class FrameRun {
 public:
  FrameRun() = default;
  FrameRun(FrameRun&& other) noexcept { swap(other); }
  FrameRun& operator=(FrameRun&& other) noexcept {
    swap(other);
    return *this;
  }
  ~FrameRun() { delete[] slots_; }

  bool empty() const { return count_ == 0; }
  size_t size() const { return count_; }
  uint32_t bytes() const { return bytes_; }
  uint32_t head_offset() const { return head_offset_; }
  HeldFrame* at(size_t i) const { return slots_[(head_ + i) % capacity_]; }

  // Adds a frame at the end, taking a use of it. The caller keeps size() below `capacity`
  // (the ring is sized to it on first use, and regrown only if the bound grows).
  void push(HeldFrame* held, uint32_t capacity);
  // The first frame has had `offset` bytes written by a direct send (0 < offset < its size).
  void start_at(uint32_t offset);
  // Advances past `n` bytes of the run; returns the frames completed (and released).
  uint32_t consume(size_t n, FrameLeases& leases);
  // Releases every frame not yet started (all but a partly written head); returns how many.
  uint32_t drop_unstarted(FrameLeases& leases);
  void clear(FrameLeases& leases);

 private:
  void swap(FrameRun& other) noexcept;
  void pop(FrameLeases& leases);

  HeldFrame** slots_ = nullptr;
  uint16_t head_ = 0;
  uint16_t count_ = 0;
  uint16_t capacity_ = 0;
  uint32_t bytes_ = 0;        // of every frame in the run, whole
  uint32_t head_offset_ = 0;  // bytes of the first frame already written
};
static_assert(sizeof(FrameRun) == 24);

}  // namespace levelcast
