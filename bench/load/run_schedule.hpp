#pragma once
// RunSchedule: what the coordinating main thread tells the workers, and what they tell it back
// during set-up. Written by main (phase, window) and by workers (the counters); every field is
// atomic and may be read from any thread. Times are CLOCK_REALTIME microseconds.
#include <time.h>

#include <atomic>
#include <cstdint>
#include <limits>

namespace levelcast::load {

enum class RunPhase : std::uint8_t {
  setup,    // connections are being opened
  running,  // the window is published; workers measure inside it
  closing,  // send close frames, wait briefly for the replies, exit
};

struct RunSchedule {
  std::int64_t start_us = 0;  // set before the workers start, constant afterwards

  std::atomic<RunPhase> phase{RunPhase::setup};
  // Published before phase becomes running; [start, end) is measured.
  std::atomic<std::int64_t> window_start_us{std::numeric_limits<std::int64_t>::max()};
  std::atomic<std::int64_t> window_end_us{std::numeric_limits<std::int64_t>::max()};

  // Fanout and echo: connections that have opened, or failed to, for the first time.
  std::atomic<std::uint64_t> settled{0};
  std::atomic<std::uint64_t> opened{0};
};

inline std::int64_t realtime_micros() noexcept {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000;
}

}  // namespace levelcast::load
