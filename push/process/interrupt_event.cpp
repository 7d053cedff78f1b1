#include "push/process/interrupt_event.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace levelcast {

InterruptEvent::~InterruptEvent() {
  if (fd_ >= 0) ::close(fd_);
}

bool InterruptEvent::open(std::string& error) {
  fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd_ < 0) {
    error = fmt::format("eventfd: {}", std::strerror(errno));
    return false;
  }
  return true;
}

void InterruptEvent::signal() {
  signalled_.store(true, std::memory_order_release);
  // Never drained, so the fd stays readable for every later poll(); a full counter (EAGAIN)
  // is already readable.
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(fd_, &one, sizeof one);
}

WaitResult wait_readable(int fd, const InterruptEvent& interrupt, int timeout_ms) {
  pollfd fds[2] = {{interrupt.fd(), POLLIN, 0}, {fd, POLLIN, 0}};
  const nfds_t count = fd >= 0 ? 2 : 1;
  while (true) {
    if (interrupt.signalled()) return WaitResult::interrupted;
    const int n = ::poll(fds, count, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return WaitResult::failed;
    if (n == 0) return WaitResult::timed_out;
    if (fds[0].revents != 0) return WaitResult::interrupted;
    return WaitResult::ready;
  }
}

}  // namespace levelcast
