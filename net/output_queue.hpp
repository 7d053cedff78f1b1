#pragma once
// OutputQueue: what one connection still has to write, in order:
//   [rest of a partly written shared frame] [own bytes: responses, pongs, echoes, close]
//   [the shared frames waiting, oldest first]
// Shared frames are never copied: the queue holds references to the worker's HeldFrames, a
// bounded run of them (PendingBound, by count and bytes). A frame offered past the bound
// replaces every waiting one (latest value wins), so a reader that never reads costs bounded
// memory, while one that is briefly behind loses nothing. Everything pending goes out in one
// sendmsg(). Own bytes only ever hold whole frames or responses; at most one pong waits
// (RFC 6455 5.5.3: answering the latest ping is enough). Loop thread only. 64 bytes.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <sys/uio.h>

#include "core/shared_frame.hpp"
#include "net/frame_run.hpp"

namespace levelcast {

struct FlushResult {
  size_t bytes = 0;
  uint32_t frames_completed = 0;  // shared frames fully written
  bool error = false;             // the socket is broken: close it
};

class OutputQueue {
 public:
  bool empty() const { return frames_.empty() && own_off_ == own_.size(); }
  bool frames_empty() const { return frames_.empty(); }
  size_t frames_pending() const { return frames_.size(); }
  size_t own_pending() const { return own_.size() - own_off_; }

  void append_own(std::string_view bytes) { own_.append(bytes); }
  // For encoders that append in place; callers append whole frames only.
  std::string& own_bytes() { return own_; }
  // Queues a pong for `payload` (<= 125 bytes), replacing the last pong when nothing has been
  // queued behind it and it has not started to go out.
  void set_pong(std::span<const uint8_t> payload);

  // `frames` went out in one direct write that took `written` bytes, fewer than all of them:
  // queue the rest (the queue was empty).
  void start_after_partial(std::span<HeldFrame* const> frames, size_t written, PendingBound bound);
  // Queues a shared frame behind what is pending; returns the frames it dropped (0 within
  // the bound).
  uint32_t offer(HeldFrame* held, FrameLeases& leases, PendingBound bound);
  // Whether `held` can be queued without passing the bound (a frame larger than the byte bound
  // still goes into an empty queue: the bound limits what waits, not what can be sent).
  bool has_room(const HeldFrame& held, PendingBound bound) const {
    return frames_.empty() ||
           (frames_.size() < bound.frames && frames_.bytes() + held.frame->size() <= bound.bytes);
  }
  // Forgets the frames not yet started (before a close frame, nothing more is sent).
  uint32_t drop_waiting(FrameLeases& leases) { return frames_.drop_unstarted(leases); }
  // Drops everything pending when none of it has started to go out; false otherwise.
  bool discard_if_unstarted(FrameLeases& leases);
  // Writes as much as the socket takes.
  FlushResult flush(int fd, FrameLeases& leases);
  // The pending bytes in write order, as at most `max` iovecs (what flush() writes next); for a
  // TLS connection, which encrypts them instead of sending them.
  size_t gather(iovec* iov, size_t max) const;
  // The first `n` pending bytes are gone (encrypted into a TLS stream): release them.
  FlushResult advance(size_t n, FrameLeases& leases);
  // Releases everything (the connection is going away).
  void clear(FrameLeases& leases);

 private:
  static constexpr uint32_t kNoPong = UINT32_MAX;
  void consume(size_t n, FrameLeases& leases, FlushResult& result);

  FrameRun frames_;
  uint32_t own_off_ = 0;
  uint32_t pong_at_ = kNoPong;  // where in own_ a pong not yet started begins
  std::string own_;
};
static_assert(sizeof(OutputQueue) == 64);

}  // namespace levelcast
