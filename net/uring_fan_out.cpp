#include "net/uring_fan_out.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "core/check.hpp"
#include "net/tls_fan_out.hpp"

#if LEVELCAST_HAVE_URING
#include <liburing.h>
#endif

namespace levelcast {
namespace {
constexpr unsigned kEntries = 4096;  // subscribers per submission
}

#if LEVELCAST_HAVE_URING
namespace {
// Submits the prepared sends and hands every completion to `on_done(index, result)`. The sends
// complete inline, so this normally returns after one system call; it waits for stragglers
// anyway, because the round's bookkeeping needs every result.
template <typename OnDone>
void submit_and_reap(io_uring* ring, size_t expected, OnDone&& on_done) {
  int rc;
  while ((rc = io_uring_submit_and_wait(ring, static_cast<unsigned>(expected))) == -EINTR) {
  }
  LC_CHECK(rc >= 0);
  for (size_t seen = 0; seen < expected;) {
    io_uring_cqe* cqe;
    while (io_uring_wait_cqe(ring, &cqe) == -EINTR) {
    }
    unsigned head;
    unsigned batch = 0;
    io_uring_for_each_cqe(ring, head, cqe) {
      on_done(io_uring_cqe_get_data64(cqe), cqe->res);
      ++batch;
    }
    io_uring_cq_advance(ring, batch);
    seen += batch;
  }
}
}  // namespace

struct UringFanOut::Ring {
  io_uring ring{};
  bool ready = false;
  ~Ring() {
    if (ready) io_uring_queue_exit(&ring);
  }
};

std::unique_ptr<UringFanOut> UringFanOut::create(std::string& why) {
  auto ring = std::make_unique<Ring>();
  io_uring_params params{};
  // One thread submits and reaps; completions are taken right after each submission.
  params.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER;
  int rc = io_uring_queue_init_params(kEntries, &ring->ring, &params);
  if (rc == -EINVAL) {  // an older kernel without those flags
    params = {};
    rc = io_uring_queue_init_params(kEntries, &ring->ring, &params);
  }
  if (rc != 0) {
    why = std::string("io_uring: ") + std::strerror(-rc);
    return nullptr;
  }
  ring->ready = true;
  return std::unique_ptr<UringFanOut>(new UringFanOut(std::move(ring)));
}

FanOutResult UringFanOut::fan_out(std::span<Connection* const> subscribers, const FrameBatch& batch,
                                  FanOutContext& ctx) {
  FanOutResult result;
  io_uring* ring = &ring_->ring;
  // One message header for the whole round: the kernel copies it at submission.
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(batch.iov());
  msg.msg_iovlen = batch.size();
  const bool single = batch.size() == 1;
  size_t next = 0;
  while (next < subscribers.size()) {
    batch_.clear();
    encrypted_.clear();
    if (ctx.tls != nullptr) ctx.tls->scratch.clear();
    for (; next < subscribers.size() && batch_.size() + encrypted_.size() < kEntries; ++next) {
      Connection* c = subscribers[next];
      if (!nothing_pending(c)) {
        queue_behind(c, batch, ctx, result);
        continue;
      }
      if (encrypts_itself(c)) {  // sent below, once the scratch has stopped growing
        const size_t start = ctx.tls->scratch.size();
        if (encrypt_batch(c, batch)) {
          encrypted_.push_back({c, start, ctx.tls->scratch.size() - start});
        } else {
          ctx.lists.broken.push_back(c);
        }
        continue;
      }
      io_uring_sqe* sqe = io_uring_get_sqe(ring);
      if (single) {
        io_uring_prep_send(sqe, c->fd, msg.msg_iov[0].iov_base, batch.bytes(), MSG_DONTWAIT | MSG_NOSIGNAL);
      } else {
        io_uring_prep_sendmsg(sqe, c->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
      }
      io_uring_sqe_set_data64(sqe, batch_.size());
      batch_.push_back(c);
    }
    const size_t plain = batch_.size();
    for (const Encrypted& e : encrypted_) {
      io_uring_sqe* sqe = io_uring_get_sqe(ring);
      io_uring_prep_send(sqe, e.c->fd, ctx.tls->scratch.data() + e.offset, e.length,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
      io_uring_sqe_set_data64(sqe, batch_.size());
      batch_.push_back(e.c);
    }
    if (batch_.empty()) {
      if (ctx.tls != nullptr) ctx.tls->scratch.clear();
      break;
    }
    submit_and_reap(ring, batch_.size(), [&](uint64_t index, int res) {
      if (index < plain) {
        settle_write(batch_[index], batch, res, ctx, result);
        return;
      }
      const Encrypted& e = encrypted_[index - plain];
      const std::string_view ciphertext(ctx.tls->scratch.data() + e.offset, e.length);
      settle_tls_write(e.c, batch, ciphertext, res, ctx, result);
    });
    if (ctx.tls != nullptr) ctx.tls->scratch.clear();  // empty between operations
  }
  return result;
}

#else  // built without liburing

struct UringFanOut::Ring {};

std::unique_ptr<UringFanOut> UringFanOut::create(std::string& why) {
  why = "built without liburing";
  return nullptr;
}

FanOutResult UringFanOut::fan_out(std::span<Connection* const> subscribers, const FrameBatch& batch,
                                  FanOutContext& ctx) {
  return fan_out_frames(subscribers, batch, ctx);
}

#endif

bool UringFanOut::built_in() {
#if LEVELCAST_HAVE_URING
  return true;
#else
  return false;
#endif
}

UringFanOut::UringFanOut(std::unique_ptr<Ring> ring) : ring_(std::move(ring)) {
  batch_.reserve(kEntries);
  encrypted_.reserve(kEntries);
}
UringFanOut::~UringFanOut() = default;

}  // namespace levelcast
