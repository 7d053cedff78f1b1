#include "net/tls_fan_out.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace levelcast {

bool encrypt_batch(Connection* c, const FrameBatch& batch) {
  for (const HeldFrame* held : batch.frames()) {
    if (!c->tls->encrypt({held->frame->data(), held->frame->size()})) return false;
  }
  return true;
}

void send_encrypted(Connection* c, const FrameBatch& batch, FanOutContext& ctx, FanOutResult& r) {
  std::string& scratch = ctx.tls->scratch;
  scratch.clear();
  if (!encrypt_batch(c, batch)) {
    scratch.clear();
    ctx.lists.broken.push_back(c);
    return;
  }
  const ssize_t n = ::send(c->fd, scratch.data(), scratch.size(), MSG_NOSIGNAL);
  settle_tls_write(c, batch, scratch, n >= 0 ? n : -errno, ctx, r);
  scratch.clear();
}

void settle_tls_write(Connection* c, const FrameBatch& batch, std::string_view ciphertext, long result,
                      FanOutContext& ctx, FanOutResult& r) {
  // Encrypted frames are part of the connection's stream now: they count as sent, and what
  // the socket did not take is kept as ciphertext (a TLS record cannot be taken back).
  if (result == static_cast<long>(ciphertext.size())) {
    r.sent += batch.size();
    r.bytes += ciphertext.size();
    return;
  }
  if (result < 0 && result != -EAGAIN) {
    ctx.lists.broken.push_back(c);
    return;
  }
  const size_t written = result > 0 ? static_cast<size_t>(result) : 0;
  r.sent += batch.size();
  r.bytes += written;
  c->tls->unsent().assign(ciphertext.substr(written));
  ctx.lists.now_waiting.push_back(c);
}

}  // namespace levelcast
