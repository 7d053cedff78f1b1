#include "core/clock.hpp"

#include <cerrno>
#include <ctime>

namespace levelcast {
namespace {
int64_t read_clock(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * kNanosPerSecond + ts.tv_nsec;
}
}  // namespace

int64_t wall_micros() { return read_clock(CLOCK_REALTIME) / 1000; }
int64_t mono_nanos() { return read_clock(CLOCK_MONOTONIC); }

void sleep_until_mono(int64_t deadline_nanos) {
  timespec ts{};
  ts.tv_sec = deadline_nanos / kNanosPerSecond;
  ts.tv_nsec = deadline_nanos % kNanosPerSecond;
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

}  // namespace levelcast
