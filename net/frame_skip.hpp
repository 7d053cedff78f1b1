#pragma once
// The frame-skip decision of a worker's drain pass, as a pure function: a worker that has
// fallen behind catches up (latest value wins, as for one slow client) instead of falling
// further behind. Only a frame with a newer one of its channel behind it in the same pass may
// be skipped, and only once it has waited longer than --max-lag (0: never skip).
#include <cstdint>

namespace levelcast {

constexpr bool should_skip_frame(bool newest_of_channel, int64_t waited_ns, int64_t max_lag_ns) {
  return !newest_of_channel && max_lag_ns > 0 && waited_ns > max_lag_ns;
}

}  // namespace levelcast
