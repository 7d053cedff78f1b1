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
      queue_behind(c, held, leases, result);
      continue;
    }
    const ssize_t n = ::send(c->fd, data, size, MSG_NOSIGNAL);
    settle_send(c, held, n >= 0 ? n : -errno, leases, result, {now_waiting, broken});
  }
  return result;
}

}  // namespace levelcast
