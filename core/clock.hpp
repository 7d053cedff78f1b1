#pragma once
// Clocks: wall time for snapshot timestamps, monotonic time for deadlines and timers.
// All functions are safe from any thread.
#include <cstdint>

namespace levelcast {

// Microseconds since the Unix epoch (CLOCK_REALTIME).
int64_t wall_micros();
// Nanoseconds on CLOCK_MONOTONIC.
int64_t mono_nanos();
// Sleeps until the monotonic deadline (absolute, so periodic loops do not drift).
void sleep_until_mono(int64_t deadline_nanos);

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t seconds_to_nanos(double s) { return static_cast<int64_t>(s * 1e9); }

}  // namespace levelcast
