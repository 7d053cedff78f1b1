#pragma once
// A thin epoll wrapper: one per loop thread. Loop thread only (epoll itself is thread-safe, but
// the tokens it returns name objects the loop thread owns).
#include <sys/epoll.h>

#include <cstdint>

#include "net/socket.hpp"

namespace levelcast {

class Epoll {
 public:
  Epoll();
  bool add(int fd, uint32_t events, uint64_t token);
  bool modify(int fd, uint32_t events, uint64_t token);
  // Waits up to timeout_ms (-1: forever); returns the number of events (0 on EINTR or timeout).
  int wait(epoll_event* events, int capacity, int timeout_ms);

 private:
  UniqueFd fd_;
};

}  // namespace levelcast
