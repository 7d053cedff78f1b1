#pragma once
// The broadcast hot loop: one shared frame written to every subscriber of a channel. Kept apart
// from the worker so the micro benchmark drives exactly the code the server runs. No copy,
// allocation or atomic operation per subscriber: a subscriber with nothing queued gets a direct
// send(); one that is behind gets the frame queued (latest value wins). Loop thread only.
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

// `now_waiting` receives the subscribers whose output went from empty to pending (they need
// EPOLLOUT), `broken` those whose socket failed. Both are appended to, never cleared here.
FanOutResult fan_out_frame(std::span<Connection* const> subscribers, HeldFrame* held,
                           FrameLeases& leases, std::vector<Connection*>& now_waiting,
                           std::vector<Connection*>& broken);

}  // namespace levelcast
