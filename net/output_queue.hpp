#pragma once
// OutputQueue: what one connection still has to write, in order:
//   [rest of the shared frame being written] [own bytes: responses, pongs, echoes, close]
//   [the newest shared frame waiting]
// A shared frame is never copied: the queue points at the worker's HeldFrame. At most one frame
// is being written and one waits; a newer frame replaces the waiting one (latest value wins), so
// a slow reader costs bounded memory. Own bytes only ever hold whole frames or responses.
// Loop thread only. 64 bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/frame_leases.hpp"

namespace levelcast {

struct FlushResult {
  size_t bytes = 0;
  uint32_t frames_completed = 0;  // shared frames fully written
  bool error = false;             // the socket is broken: close it
};

class OutputQueue {
 public:
  bool empty() const { return active_ == nullptr && waiting_ == nullptr && own_off_ == own_.size(); }
  size_t own_pending() const { return own_.size() - own_off_; }

  void append_own(std::string_view bytes) { own_.append(bytes); }
  // For encoders that append in place; callers append whole frames only.
  std::string& own_bytes() { return own_; }

  // A shared frame the fast path wrote `written` bytes of (0 < written < size).
  void start_partial(HeldFrame* held, size_t written);
  // Queues a shared frame behind what is pending; true when it replaced (dropped) a waiting one.
  bool offer(HeldFrame* held, FrameLeases& leases);
  // Forgets the waiting frame (before a close frame, nothing more is sent).
  void drop_waiting(FrameLeases& leases);
  // Writes as much as the socket takes.
  FlushResult flush(int fd, FrameLeases& leases);
  // Releases everything (the connection is going away).
  void clear(FrameLeases& leases);

 private:
  void consume(size_t n, FrameLeases& leases, FlushResult& result);

  HeldFrame* active_ = nullptr;
  HeldFrame* waiting_ = nullptr;
  size_t active_off_ = 0;
  std::string own_;
  size_t own_off_ = 0;
};

}  // namespace levelcast
