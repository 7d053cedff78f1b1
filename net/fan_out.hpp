#pragma once
// The broadcast hot loop: the frames of one channel that a drain pass holds, written to every
// subscriber of the channel. Kept apart from the worker so the micro benchmark drives exactly
// the code the server runs. No copy, allocation or atomic operation per subscriber: a
// subscriber with nothing queued gets every frame in one system call (send() for one frame,
// sendmsg() with one iovec per frame for several, all pointing at the shared buffers); one that
// is behind gets them queued behind its pending output (bounded; latest value wins past the
// bound). Loop thread only.
#include <sys/uio.h>

#include <cerrno>
#include <cstdint>
#include <span>
#include <vector>

#include "net/connection.hpp"
#include "net/frame_leases.hpp"

namespace levelcast {

struct TlsBuffers;

struct FanOutResult {
  uint64_t sent = 0;     // frames fully handed to the kernel, summed over subscribers
  uint64_t bytes = 0;    // bytes handed to the kernel
  uint64_t dropped = 0;  // waiting frames replaced by newer ones (past the bound)
};

// The frames one channel has in a drain pass, oldest first, and their iovecs: built once per
// pass and shared by every subscriber's write. Loop thread only.
class FrameBatch {
 public:
  void clear() {
    frames_.clear();
    iov_.clear();
    bytes_ = 0;
  }
  void add(HeldFrame* held) {
    frames_.push_back(held);
    iov_.push_back({const_cast<uint8_t*>(held->frame->data()), held->frame->size()});
    bytes_ += held->frame->size();
  }
  bool empty() const { return frames_.empty(); }
  size_t size() const { return frames_.size(); }
  size_t bytes() const { return bytes_; }
  std::span<HeldFrame* const> frames() const { return frames_; }
  const iovec* iov() const { return iov_.data(); }

 private:
  std::vector<HeldFrame*> frames_;
  std::vector<iovec> iov_;
  size_t bytes_ = 0;
};

// Where the round's subscribers end up: `now_waiting` receives those whose output went from
// empty to pending (they need EPOLLOUT), `broken` those whose socket failed. Both are appended
// to, never cleared here.
struct FanOutLists {
  std::vector<Connection*>& now_waiting;
  std::vector<Connection*>& broken;
};

// What a round needs besides the subscribers and the frames.
struct FanOutContext {
  FrameLeases& leases;
  PendingBound bound;
  FanOutLists lists;
  TlsBuffers* tls = nullptr;  // the worker's scratch, where TLS subscribers' records are made
};

// A subscriber still writing earlier output: queue the batch behind it.
inline void queue_behind(Connection* c, const FrameBatch& batch, FanOutContext& ctx, FanOutResult& r) {
  for (HeldFrame* held : batch.frames()) r.dropped += c->out.offer(held, ctx.leases, ctx.bound);
}

// Books one direct write of the batch to an idle subscriber: `result` is the bytes written or
// -errno. Shared by the send() and io_uring write paths so both end a round the same way.
void settle_write(Connection* c, const FrameBatch& batch, long result, FanOutContext& ctx, FanOutResult& r);

// The send()/sendmsg() write path: one system call per idle subscriber.
FanOutResult fan_out_frames(std::span<Connection* const> subscribers, const FrameBatch& batch,
                            FanOutContext& ctx);

}  // namespace levelcast
