#pragma once
// SharedFrame: one encoded WebSocket frame (header and payload in a single allocation), immutable
// once published, shared by every thread that sends it. The reference count is atomic but is
// touched once per frame per worker, never per subscriber: workers keep their own plain counts.
//
// Threads: create() and mutable_data() belong to the creating thread before the frame is
// published; data()/size()/release() are safe from any thread holding a reference.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace levelcast {

class SharedFrame {
 public:
  // A frame of `size` bytes (under 4 GiB) with `refs` references owned by the caller. `seq` is
  // the snapshot number it carries, 0 for frames that are not snapshots (events).
  static SharedFrame* create(size_t size, uint32_t refs, uint64_t seq = 0);

  SharedFrame(const SharedFrame&) = delete;
  SharedFrame& operator=(const SharedFrame&) = delete;

  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(this + 1); }
  uint8_t* mutable_data() { return reinterpret_cast<uint8_t*>(this + 1); }
  size_t size() const { return size_; }
  uint64_t seq() const { return seq_; }
  std::span<const uint8_t> bytes() const { return {data(), size_}; }

  void add_refs(uint32_t n) { refs_.fetch_add(n, std::memory_order_relaxed); }
  // Drops one reference; the last one frees the frame.
  void release();

 private:
  SharedFrame(uint32_t size, uint32_t refs, uint64_t seq) : refs_(refs), size_(size), seq_(seq) {}
  ~SharedFrame() = default;

  std::atomic<uint32_t> refs_;
  uint32_t size_;
  uint64_t seq_;
};
// The payload starts right after the 16-byte header, suitably aligned for word-wise access.
static_assert(sizeof(SharedFrame) == 16);

// Owns one reference; for code outside the hot path (producers, tests, history).
class FrameRef {
 public:
  FrameRef() = default;
  explicit FrameRef(SharedFrame* adopted) : frame_(adopted) {}
  FrameRef(const FrameRef& other) : frame_(other.frame_) {
    if (frame_) frame_->add_refs(1);
  }
  FrameRef(FrameRef&& other) noexcept : frame_(std::exchange(other.frame_, nullptr)) {}
  FrameRef& operator=(FrameRef other) noexcept {
    std::swap(frame_, other.frame_);
    return *this;
  }
  ~FrameRef() {
    if (frame_) frame_->release();
  }
  SharedFrame* get() const { return frame_; }
  SharedFrame* operator->() const { return frame_; }
  explicit operator bool() const { return frame_ != nullptr; }

 private:
  SharedFrame* frame_ = nullptr;
};

}  // namespace levelcast
