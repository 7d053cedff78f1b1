#include "net/output_queue.hpp"

#include <limits.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>

#include "core/check.hpp"
#include "net/ws_frame.hpp"

namespace levelcast {
namespace {
// Own bytes can reach a megabyte (an echoed message); give that memory back once written.
constexpr size_t kKeepOwnCapacity = 16 * 1024;
constexpr size_t kMaxIov = 64;  // per sendmsg; the rest goes in the next one

iovec shared_iov(const HeldFrame* held, size_t offset) {
  return {const_cast<uint8_t*>(held->frame->data()) + offset, held->frame->size() - offset};
}
}  // namespace

void OutputQueue::set_pong(std::span<const uint8_t> payload) {
  // A pong that has not started to go out and has nothing behind it is superseded by this one;
  // one with replies behind it stays, so that answers keep the order of the requests.
  if (pong_at_ != kNoPong && pong_at_ >= own_off_ &&
      pong_at_ + 2 + static_cast<uint8_t>(own_[pong_at_ + 1]) == own_.size()) {
    own_.resize(pong_at_);
  }
  pong_at_ = static_cast<uint32_t>(own_.size());
  append_frame(own_, Opcode::pong, payload);
}

void OutputQueue::start_after_partial(std::span<HeldFrame* const> frames, size_t written,
                                      PendingBound bound) {
  LC_CHECK(empty());
  size_t i = 0;
  while (i < frames.size() && written >= frames[i]->frame->size()) written -= frames[i++]->frame->size();
  LC_CHECK(i < frames.size());
  const auto capacity = static_cast<uint32_t>(std::max<size_t>({frames.size() - i, bound.frames, 2}));
  for (; i < frames.size(); ++i) frames_.push(frames[i], capacity);
  if (written > 0) frames_.start_at(static_cast<uint32_t>(written));
}

uint32_t OutputQueue::offer(HeldFrame* held, FrameLeases& leases, PendingBound bound) {
  uint32_t dropped = 0;
  if (!has_room(*held, bound)) dropped = frames_.drop_unstarted(leases);
  frames_.push(held, std::max<uint32_t>(bound.frames, 2));
  return dropped;
}

void OutputQueue::clear(FrameLeases& leases) {
  frames_.clear(leases);
  std::string().swap(own_);
  own_off_ = 0;
  pong_at_ = kNoPong;
}

bool OutputQueue::discard_if_unstarted(FrameLeases& leases) {
  if (frames_.head_offset() > 0 || own_off_ > 0) return false;
  clear(leases);
  return true;
}

// Advances past `n` written bytes, in queue order.
void OutputQueue::consume(size_t n, FrameLeases& leases, FlushResult& result) {
  if (frames_.head_offset() > 0) {
    const size_t rest = frames_.at(0)->frame->size() - frames_.head_offset();
    const size_t take = std::min(n, rest);
    result.frames_completed += frames_.consume(take, leases);
    n -= take;
    if (take < rest) return;
  }
  const size_t own_take = std::min(n, own_pending());
  own_off_ += static_cast<uint32_t>(own_take);
  n -= own_take;
  if (pong_at_ != kNoPong && own_off_ > pong_at_) pong_at_ = kNoPong;  // it has started to go out
  if (own_off_ == own_.size()) {
    own_.clear();
    own_off_ = 0;
    if (own_.capacity() > kKeepOwnCapacity) std::string().swap(own_);
  }
  result.frames_completed += frames_.consume(n, leases);
}

size_t OutputQueue::gather(iovec* iov, size_t max) const {
  size_t count = 0;
  size_t next_frame = 0;
  if (frames_.head_offset() > 0 && count < max) {
    iov[count++] = shared_iov(frames_.at(next_frame++), frames_.head_offset());
  }
  if (own_pending() > 0 && count < max) {
    iov[count++] = {const_cast<char*>(own_.data()) + own_off_, own_pending()};
  }
  for (; next_frame < frames_.size() && count < max; ++next_frame) {
    iov[count++] = shared_iov(frames_.at(next_frame), 0);
  }
  return count;
}

FlushResult OutputQueue::advance(size_t n, FrameLeases& leases) {
  FlushResult result;
  result.bytes = n;
  consume(n, leases, result);
  return result;
}

FlushResult OutputQueue::flush(int fd, FrameLeases& leases) {
  FlushResult result;
  while (!empty()) {
    iovec iov[kMaxIov];
    const size_t count = gather(iov, kMaxIov);
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = count;
    const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      result.error = errno != EAGAIN;
      return result;
    }
    result.bytes += static_cast<size_t>(n);
    consume(static_cast<size_t>(n), leases, result);
  }
  return result;
}

}  // namespace levelcast
