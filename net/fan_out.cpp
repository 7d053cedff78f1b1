#include "net/fan_out.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace levelcast {

FanOutResult fan_out_frame(std::span<Connection* const> subscribers, HeldFrame* held,
                           FrameLeases& leases, std::vector<Connection*>& now_waiting,
                           std::vector<Connection*>& broken) {
  const uint8_t* data = held->frame->data();
  const size_t size = held->frame->size();
  FanOutResult result;
  for (Connection* c : subscribers) {
    if (!c->out.empty()) {
      result.dropped += c->out.offer(held, leases) ? 1 : 0;
      continue;
    }
    const ssize_t n = ::send(c->fd, data, size, MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(size)) {
      ++result.sent;
      continue;
    }
    if (n > 0) {
      c->out.start_partial(held, static_cast<size_t>(n));
      result.bytes += static_cast<uint64_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      c->out.offer(held, leases);
    } else {
      broken.push_back(c);
      continue;
    }
    now_waiting.push_back(c);
  }
  result.bytes += result.sent * size;
  return result;
}

}  // namespace levelcast
