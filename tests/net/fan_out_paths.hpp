#pragma once
// The two write paths of a broadcast round, for tests parameterised over them: "send"
// (fan_out_frames) and "io_uring" (UringFanOut, when this machine has it).
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "net/fan_out.hpp"
#include "net/uring_fan_out.hpp"

namespace levelcast::fan_out_test {

using Round = std::function<FanOutResult(std::span<Connection* const>, const FrameBatch&, FanOutContext&)>;

// The round of `path`; for io_uring the ring is kept in `uring`. An empty Round, with `why`,
// when io_uring cannot be used here.
inline Round round_for(const std::string& path, std::unique_ptr<UringFanOut>& uring, std::string& why) {
  if (path == "send") return fan_out_frames;
  uring = UringFanOut::create(why);
  if (!uring) return {};
  UringFanOut* ring = uring.get();
  return [ring](std::span<Connection* const> subs, const FrameBatch& batch, FanOutContext& ctx) {
    return ring->fan_out(subs, batch, ctx);
  };
}

}  // namespace levelcast::fan_out_test
