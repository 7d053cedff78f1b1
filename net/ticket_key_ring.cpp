#include "net/ticket_key_ring.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cstring>

#include "core/check.hpp"

namespace levelcast {
namespace {

TicketKeyRing::Key random_key() {
  TicketKeyRing::Key key;
  LC_CHECK(RAND_bytes(key.name.data(), sizeof key.name) == 1);
  LC_CHECK(RAND_bytes(key.aes_key.data(), sizeof key.aes_key) == 1);
  LC_CHECK(RAND_bytes(key.hmac_key.data(), sizeof key.hmac_key) == 1);
  return key;
}

}  // namespace

TicketKeyRing::TicketKeyRing(int64_t period_s, int64_t now_s, std::atomic<uint64_t>* rotations)
    : period_s_(period_s), rotations_(rotations) {
  LC_CHECK(period_s > 0);
  slots_.push_back({random_key(), now_s});
}

// A new sealing key once the current one is a period old (made now, not on the missed
// schedule: after a quiet spell one rotation is enough); keys two periods old are forgotten.
void TicketKeyRing::rotate(int64_t now_s) {
  if (now_s - slots_.front().made_s >= period_s_) {
    slots_.insert(slots_.begin(), {random_key(), now_s});
    if (rotations_ != nullptr) rotations_->fetch_add(1, std::memory_order_relaxed);
  }
  std::erase_if(slots_, [&](const Slot& s) { return now_s - s.made_s >= 2 * period_s_; });
}

TicketKeyRing::Key TicketKeyRing::sealing_key(int64_t now_s) {
  std::lock_guard lock(mutex_);
  rotate(now_s);
  return slots_.front().key;
}

std::optional<TicketKeyRing::Found> TicketKeyRing::find(const uint8_t* name, int64_t now_s) {
  std::lock_guard lock(mutex_);
  rotate(now_s);
  for (const Slot& slot : slots_) {
    if (std::memcmp(slot.key.name.data(), name, slot.key.name.size()) == 0) {
      return Found{slot.key, &slot == &slots_.front()};
    }
  }
  return std::nullopt;
}

size_t TicketKeyRing::size(int64_t now_s) {
  std::lock_guard lock(mutex_);
  rotate(now_s);
  return slots_.size();
}

}  // namespace levelcast
