#include "net/fan_out.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "net/tls_fan_out.hpp"

namespace levelcast {

void settle_write(Connection* c, const FrameBatch& batch, long result, FanOutContext& ctx,
                  FanOutResult& r) {
  if (result == static_cast<long>(batch.bytes())) {
    r.sent += batch.size();
    r.bytes += batch.bytes();
    return;
  }
  if (result > 0) {
    r.bytes += static_cast<uint64_t>(result);
    size_t left = static_cast<size_t>(result);
    for (HeldFrame* held : batch.frames()) {  // the frames that went out whole
      if (left < held->frame->size()) break;
      left -= held->frame->size();
      ++r.sent;
    }
    c->out.start_after_partial(batch.frames(), static_cast<size_t>(result), ctx.bound);
  } else if (result == -EAGAIN) {
    queue_behind(c, batch, ctx, r);
  } else {
    ctx.lists.broken.push_back(c);
    return;
  }
  ctx.lists.now_waiting.push_back(c);
}

FanOutResult fan_out_frames(std::span<Connection* const> subscribers, const FrameBatch& batch,
                            FanOutContext& ctx) {
  FanOutResult result;
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(batch.iov());
  msg.msg_iovlen = batch.size();
  const bool single = batch.size() == 1;
  for (Connection* c : subscribers) {
    if (!nothing_pending(c)) {
      queue_behind(c, batch, ctx, result);
      continue;
    }
    if (encrypts_itself(c)) {
      send_encrypted(c, batch, ctx, result);
      continue;
    }
    const ssize_t n = single ? ::send(c->fd, msg.msg_iov[0].iov_base, batch.bytes(), MSG_NOSIGNAL)
                             : ::sendmsg(c->fd, &msg, MSG_NOSIGNAL);
    settle_write(c, batch, n >= 0 ? n : -errno, ctx, result);
  }
  return result;
}

}  // namespace levelcast
