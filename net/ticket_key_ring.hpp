#pragma once
// TicketKeyRing: the keys that seal and open TLS session tickets, rotated on a schedule. The
// newest key seals; a new one is made (RAND_bytes) once it is `period` seconds old, and a key
// that stopped sealing still opens tickets until two periods after it was made, so a ticket
// issued just before a rotation still resumes (and is renewed with the new key). Made once at
// start-up and shared by every SSL_CTX built later, so certificate reloads keep it.
// The clock is passed in (seconds on any steady scale); rotation happens when a key is asked
// for. Safe from any thread (workers run handshakes in parallel): a mutex guards the keys.
#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

namespace levelcast {

class TicketKeyRing {
 public:
  struct Key {
    std::array<uint8_t, 16> name;
    std::array<uint8_t, 32> aes_key;
    std::array<uint8_t, 32> hmac_key;
  };
  struct Found {
    Key key;
    bool sealing;  // the current sealing key; false: an older one (the ticket is renewed)
  };

  // The first key is made at `now_s`. `rotations`, when given, counts the keys made after it.
  TicketKeyRing(int64_t period_s, int64_t now_s, std::atomic<uint64_t>* rotations = nullptr);

  // The key that seals a new ticket at `now_s`.
  Key sealing_key(int64_t now_s);
  // The key named `name` (16 bytes) when it still opens tickets at `now_s`.
  std::optional<Found> find(const uint8_t* name, int64_t now_s);
  // Keys held at `now_s` (the sealing one first, then those still opening).
  size_t size(int64_t now_s);

 private:
  struct Slot {
    Key key;
    int64_t made_s;
  };
  void rotate(int64_t now_s);  // mutex_ held

  const int64_t period_s_;
  std::atomic<uint64_t>* rotations_;
  std::mutex mutex_;
  std::vector<Slot> slots_;  // newest first; guarded by mutex_
};

}  // namespace levelcast
