#pragma once
// The broadcast hot loop: one shared frame written to every subscriber of a channel. Kept apart
// from the worker so the micro benchmark drives exactly the code the server runs. No copy,
// allocation or atomic operation per subscriber: a subscriber with nothing queued gets a direct
// send(); one that is behind gets the frame queued (latest value wins). Loop thread only.
#include <cerrno>
#include <cstdint>
#include <span>
#include <vector>

#include "net/connection.hpp"
#include "net/frame_leases.hpp"

namespace levelcast {

struct FanOutResult {
  uint64_t sent = 0;        // subscribers that took the whole frame at once
  uint64_t bytes = 0;       // bytes handed to the kernel
  uint64_t dropped = 0;     // waiting frames replaced by this one
};

// Where the round's subscribers end up: `now_waiting` receives those whose output went from
// empty to pending (they need EPOLLOUT), `broken` those whose socket failed. Both are appended
// to, never cleared here.
struct FanOutLists {
  std::vector<Connection*>& now_waiting;
  std::vector<Connection*>& broken;
};

// A subscriber still writing an earlier frame: queue this one behind it (latest value wins).
inline void queue_behind(Connection* c, HeldFrame* held, FrameLeases& leases, FanOutResult& r) {
  r.dropped += c->out.offer(held, leases) ? 1 : 0;
}

// Books one direct send of the frame to an idle subscriber: `result` is the bytes written or
// -errno. Shared by the send() and io_uring write paths so both end a round the same way.
inline void settle_send(Connection* c, HeldFrame* held, long result, FrameLeases& leases,
                        FanOutResult& r, FanOutLists lists) {
  const auto size = static_cast<long>(held->frame->size());
  if (result == size) {
    ++r.sent;
    r.bytes += static_cast<uint64_t>(size);
    return;
  }
  if (result > 0) {
    c->out.start_partial(held, static_cast<size_t>(result));
    r.bytes += static_cast<uint64_t>(result);
  } else if (result == -EAGAIN) {
    c->out.offer(held, leases);
  } else {
    lists.broken.push_back(c);
    return;
  }
  lists.now_waiting.push_back(c);
}

// The send() write path: one system call per idle subscriber.
FanOutResult fan_out_frame(std::span<Connection* const> subscribers, HeldFrame* held,
                           FrameLeases& leases, std::vector<Connection*>& now_waiting,
                           std::vector<Connection*>& broken);

}  // namespace levelcast
