#include "net/epoll.hpp"

#include <cerrno>

#include "core/check.hpp"

namespace levelcast {

Epoll::Epoll() : fd_(epoll_create1(EPOLL_CLOEXEC)) { LC_CHECK(fd_.valid()); }

bool Epoll::add(int fd, uint32_t events, uint64_t token) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  return epoll_ctl(fd_.get(), EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool Epoll::modify(int fd, uint32_t events, uint64_t token) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  return epoll_ctl(fd_.get(), EPOLL_CTL_MOD, fd, &ev) == 0;
}

int Epoll::wait(epoll_event* events, int capacity, int timeout_ms) {
  const int n = epoll_wait(fd_.get(), events, capacity, timeout_ms);
  if (n < 0) {
    LC_CHECK(errno == EINTR);
    return 0;
  }
  return n;
}

}  // namespace levelcast
