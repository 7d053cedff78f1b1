#include "net/wakeup.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

#include "core/check.hpp"

namespace levelcast {

Wakeup::Wakeup() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) { LC_CHECK(fd_.valid()); }

void Wakeup::notify() {
  if (pending_.exchange(true, std::memory_order_acq_rel)) return;
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(fd_.get(), &one, sizeof(one));
}

void Wakeup::consume() {
  uint64_t value = 0;
  [[maybe_unused]] const ssize_t n = ::read(fd_.get(), &value, sizeof(value));
  // Cleared before the caller drains: anything enqueued after this wakes us again. An exchange,
  // not a store, so it synchronises with the notifier's exchange and the drain sees its items.
  pending_.exchange(false, std::memory_order_acq_rel);
}

}  // namespace levelcast
