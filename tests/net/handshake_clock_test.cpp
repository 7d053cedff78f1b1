// HandshakeClock with the clock passed in: the time a TLS handshake waits for its worker's
// per-turn budget does not count towards --handshake-timeout; the client's own time does.
#include "net/handshake_clock.hpp"

#include <gtest/gtest.h>

namespace levelcast {
namespace {

TEST(HandshakeClock, NotHeldLeavesThePhaseStartAlone) {
  HandshakeClock clock;
  int64_t phase_since = 100;
  EXPECT_FALSE(clock.held());
  clock.release(900, phase_since);
  EXPECT_EQ(phase_since, 100);
}

TEST(HandshakeClock, HeldTimeMovesThePhaseStartOn) {
  HandshakeClock clock;
  int64_t phase_since = 100;
  clock.hold(400);
  EXPECT_TRUE(clock.held());
  clock.release(1'400, phase_since);
  EXPECT_FALSE(clock.held());
  EXPECT_EQ(phase_since, 1'100);  // 300 of the client's time so far, not 1,300
}

TEST(HandshakeClock, EveryTurnPutOffKeepsTheFirstHold) {
  HandshakeClock clock;
  int64_t phase_since = 0;
  for (int64_t turn = 10; turn <= 90; turn += 10) clock.hold(turn);
  clock.release(100, phase_since);
  EXPECT_EQ(phase_since, 90);
}

TEST(HandshakeClock, TwoWaitsAddUp) {
  HandshakeClock clock;
  int64_t phase_since = 0;
  clock.hold(10);
  clock.release(30, phase_since);  // waited 20
  clock.hold(50);
  clock.release(100, phase_since);  // waited 50 more
  EXPECT_EQ(phase_since, 70);
}

}  // namespace
}  // namespace levelcast
