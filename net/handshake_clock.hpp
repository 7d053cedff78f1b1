#pragma once
// HandshakeClock: --handshake-timeout measures the client, not this server. A worker advances
// only a few TLS handshake steps per loop turn (its broadcasts come first); a handshake whose
// bytes have arrived but wait for that budget (or for a turn that ran long) is waiting on the
// worker, so its connection's phase clock stands still meanwhile. Without this a worker busy
// broadcasting timed out the very handshakes it had put off. The clock is passed in. Loop
// thread only.
#include <cstdint>

namespace levelcast {

class HandshakeClock {
 public:
  // The connection's input is put off to a later turn (called on every turn it is).
  void hold(int64_t now) {
    if (held_since_ == 0) held_since_ = now;
  }
  // It gets its step: the phase start moves on by the time it was held.
  void release(int64_t now, int64_t& phase_since) {
    if (held_since_ == 0) return;
    phase_since += now - held_since_;
    held_since_ = 0;
  }
  // Waiting for the worker: no timeout applies.
  bool held() const { return held_since_ != 0; }

 private:
  int64_t held_since_ = 0;  // monotonic ns; 0 while not held
};

}  // namespace levelcast
