#include "net/output_queue.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>

#include "core/check.hpp"

namespace levelcast {
namespace {
// Own bytes can reach a megabyte (an echoed message); give that memory back once written.
constexpr size_t kKeepOwnCapacity = 16 * 1024;
}  // namespace

void OutputQueue::start_partial(HeldFrame* held, size_t written) {
  LC_CHECK(empty());
  FrameLeases::use(held);
  active_ = held;
  active_off_ = written;
}

bool OutputQueue::offer(HeldFrame* held, FrameLeases& leases) {
  FrameLeases::use(held);
  const bool replaced = waiting_ != nullptr;
  if (replaced) leases.unuse(waiting_);
  waiting_ = held;
  return replaced;
}

void OutputQueue::drop_waiting(FrameLeases& leases) {
  if (waiting_ != nullptr) leases.unuse(waiting_);
  waiting_ = nullptr;
}

void OutputQueue::clear(FrameLeases& leases) {
  drop_waiting(leases);
  if (active_ != nullptr) leases.unuse(active_);
  active_ = nullptr;
  active_off_ = 0;
  std::string().swap(own_);
  own_off_ = 0;
}

// Advances past `n` written bytes, in queue order.
void OutputQueue::consume(size_t n, FrameLeases& leases, FlushResult& result) {
  if (active_ != nullptr) {
    const size_t take = std::min(n, active_->frame->size() - active_off_);
    active_off_ += take;
    n -= take;
    if (active_off_ < active_->frame->size()) return;
    leases.unuse(active_);
    active_ = nullptr;
    active_off_ = 0;
    ++result.frames_completed;
  }
  const size_t own_take = std::min(n, own_.size() - own_off_);
  own_off_ += own_take;
  n -= own_take;
  if (own_off_ == own_.size()) {
    own_.clear();
    own_off_ = 0;
    if (own_.capacity() > kKeepOwnCapacity) std::string().swap(own_);
  }
  if (n == 0 || waiting_ == nullptr) return;
  // Bytes went into the waiting frame: it becomes the one being written.
  active_ = waiting_;
  waiting_ = nullptr;
  active_off_ = 0;
  consume(n, leases, result);
}

FlushResult OutputQueue::flush(int fd, FrameLeases& leases) {
  FlushResult result;
  while (!empty()) {
    iovec iov[3];
    int count = 0;
    if (active_ != nullptr) {
      iov[count++] = {const_cast<uint8_t*>(active_->frame->data()) + active_off_,
                      active_->frame->size() - active_off_};
    }
    if (own_off_ < own_.size()) iov[count++] = {own_.data() + own_off_, own_.size() - own_off_};
    if (waiting_ != nullptr) {
      iov[count++] = {const_cast<uint8_t*>(waiting_->frame->data()), waiting_->frame->size()};
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(count);
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
