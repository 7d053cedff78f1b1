// The TLS half of Worker: a TLS connection's handshake, its decrypted input, and its output
// encrypted just before it is written. The ciphertext moves through the worker's shared
// buffers (TlsBuffers: the read buffer fed in, one write scratch); a connection keeps only what
// its socket did not take (TlsSession::unsent) and OpenSSL's state with released buffers.
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "core/log.hpp"
#include "net/http_response.hpp"
#include "net/tls_fan_out.hpp"
#include "net/worker.hpp"

namespace levelcast {
namespace {
constexpr size_t kMaxIov = 16;
// Plaintext encrypted per write: about one socket buffer's worth, so a connection that falls
// behind holds little ciphertext and its frames behind that stay plaintext references.
constexpr size_t kEncryptPerWrite = 32 * 1024;
constexpr size_t kKeepUnsentCapacity = 16 * 1024;

// Bytes that open a plain HTTP request: a TLS record starts with 0x16 (handshake) instead.
bool looks_like_plain_http(std::span<const uint8_t> bytes) {
  size_t i = 0;
  while (i < bytes.size() && i < 8 && bytes[i] >= 'A' && bytes[i] <= 'Z') ++i;
  return i >= 3 && i < bytes.size() && bytes[i] == ' ';
}
}  // namespace

bool Worker::start_tls(Connection& c) {
  if (tls_ctx_ == nullptr || config_.tls->generation() != tls_generation_) {
    if (tls_ctx_ != nullptr) SSL_CTX_free(tls_ctx_);
    tls_ctx_ = config_.tls->acquire(tls_generation_);  // a reload took place: new certificate
  }
  // Over the socket when OpenSSL may hand the records to the kernel (kTLS), or when forced.
  auto* session = new TlsSession(tls_ctx_, tls_buffers_, config_.tls_over_socket ? c.fd : -1);
  if (!session->valid()) {
    delete session;
    return false;
  }
  c.tls = session;
  return true;
}

// Ciphertext just received: advances the handshake, then decrypts what follows it into
// process_input. False when the connection ended.
bool Worker::take_tls_input(Connection& c, std::span<const uint8_t> received) {
  tls_buffers_.feed(received);
  if (!c.tls->handshake_done() && !advance_handshake(c, received)) return false;
  decrypt_input(c);
  return !c.dead;
}

// A session that reads its socket itself: a handshake step over the socket, or (the kernel
// decrypting) plaintext. True when the handshake has just finished: what follows is read next,
// on whichever path the session uses now.
bool Worker::read_tls_socket(Connection& c) {
  c.last_receive = now_;
  if (c.tls->handshake_done()) {
    decrypt_input(c);
    return false;
  }
  // A peek, not a read: the first bytes tell plain HTTP apart, and EOF ends it quietly.
  uint8_t head[8];
  ssize_t n;
  while ((n = ::recv(c.fd, head, sizeof head, MSG_PEEK)) < 0 && errno == EINTR) {
  }
  if (n <= 0) {
    if (n == 0 || errno != EAGAIN) close_connection(c);
    return false;
  }
  return advance_handshake(c, {head, static_cast<size_t>(n)}) && c.tls->handshake_done();
}

// A TLS handshake whose client bytes have arrived but are not read yet waits for this worker
// (the per-turn budget, or a turn that ran long), not for its client: its clock is held. One
// peek, and only for a connection past --handshake-timeout.
bool Worker::handshake_waits_for_us(Connection& c) {
  if (c.tls == nullptr || c.tls->handshake_done()) return false;
  if (c.tls->handshake_clock().held()) return true;
  if (nothing_unread(c.fd)) return false;
  c.tls->handshake_clock().hold(now_);
  return true;
}

// One handshake step with the bytes fed (or, over the socket, the bytes it holds: `received`
// is then their first few, peeked). False when the connection ended.
bool Worker::advance_handshake(Connection& c, std::span<const uint8_t> received) {
  --handshakes_left_;
  c.tls->handshake_clock().release(now_, c.phase_since);
  const TlsStatus status = c.tls->handshake();
  if (status == TlsStatus::failed || status == TlsStatus::closed) {
    bump(counters_.tls_handshake_failures);
    LC_LOG(debug, "connection {}: TLS handshake failed: {}", c.slot, c.tls->take_error());
    if (looks_like_plain_http(received)) {
      tls_buffers_.scratch.clear();
      // Plain HTTP on the TLS port: one plain answer saying so, then close (as nginx does).
      std::string reply;
      append_error_response(reply, 400, "plain HTTP sent to the TLS port: use https:// or wss://", {});
      [[maybe_unused]] const ssize_t n = ::send(c.fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    } else {
      send_ciphertext(c);  // OpenSSL's alert (protocol_version, ...): one write, best effort
      tls_buffers_.scratch.clear();
    }
    close_connection(c);
    return false;
  }
  if (status == TlsStatus::ok) {
    bump(counters_.tls_handshakes);
    if (c.tls->resumed()) bump(counters_.tls_resumed);
    if (c.tls->kernel_sends()) bump(counters_.tls_kernel_sends);
  }
  send_ciphertext(c);
  return !c.dead;
}

void Worker::decrypt_input(Connection& c) {
  while (!c.dead) {
    size_t n = 0;
    const TlsStatus status = c.tls->read({plain_buffer_.get(), kPlainBufferBytes}, n);
    if (status == TlsStatus::ok) {
      if (c.phase != Phase::lingering) process_input(c, {plain_buffer_.get(), n});
      continue;
    }
    if (status == TlsStatus::failed) {
      LC_LOG(debug, "connection {}: TLS: {}", c.slot, c.tls->take_error());
      tls_buffers_.scratch.clear();
      close_connection(c);
    } else if (status == TlsStatus::closed) {
      tls_buffers_.scratch.clear();
      close_connection(c);  // close_notify: as EOF
    } else {
      send_ciphertext(c);  // what reading made OpenSSL say (a key update answer)
    }
    return;
  }
}

// The scratch is empty between operations: whoever makes records in it writes them (or moves
// them to the connection's unsent) before the next connection's turn.
//
// Ciphertext left from earlier goes first; then a bounded run of the pending plaintext
// (partly written frame, own bytes, queued frames) is encrypted and written, while the socket
// takes all of it.
void Worker::write_tls_output(Connection& c) {
  if (!c.tls->handshake_done()) {  // a handshake over the socket that the socket held up
    if (c.tls->wants_write()) advance_handshake(c, {});
    return;
  }
  if (!send_unsent(c)) return;
  while (!c.out.empty()) {
    iovec iov[kMaxIov];
    const size_t count = c.out.gather(iov, kMaxIov);
    size_t taken = 0;
    for (size_t i = 0; i < count && taken < kEncryptPerWrite; ++i) {
      const size_t len = std::min(iov[i].iov_len, kEncryptPerWrite - taken);
      if (!c.tls->encrypt({static_cast<const uint8_t*>(iov[i].iov_base), len})) {
        tls_buffers_.scratch.clear();
        close_connection(c);
        return;
      }
      taken += len;
    }
    const FlushResult r = c.out.advance(taken, leases_);
    bump(counters_.messages_sent, r.frames_completed);
    if (r.frames_completed > 0 || c.out.empty()) c.stalled_since = c.out.empty() ? 0 : now_;
    send_ciphertext(c);
    if (c.dead || !c.tls->unsent().empty()) return;
  }
}

// Writes the scratch (behind anything unsent); what the socket does not take is kept.
void Worker::send_ciphertext(Connection& c) {
  std::string& scratch = tls_buffers_.scratch;
  if (scratch.empty()) return;
  std::string& unsent = c.tls->unsent();
  if (!unsent.empty()) {
    unsent.append(scratch);
    scratch.clear();
    send_unsent(c);
    return;
  }
  ssize_t n;
  while ((n = ::send(c.fd, scratch.data(), scratch.size(), MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  if (n < 0 && errno != EAGAIN) {
    scratch.clear();
    close_connection(c);
    return;
  }
  const size_t written = n > 0 ? static_cast<size_t>(n) : 0;
  bump(counters_.bytes_sent, written);
  if (written < scratch.size()) unsent.assign(scratch, written);
  scratch.clear();
}

// True when nothing is left unsent (the socket took it all).
bool Worker::send_unsent(Connection& c) {
  std::string& unsent = c.tls->unsent();
  while (!unsent.empty()) {
    const ssize_t n = ::send(c.fd, unsent.data(), unsent.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) close_connection(c);
      return false;
    }
    bump(counters_.bytes_sent, static_cast<uint64_t>(n));
    unsent.erase(0, static_cast<size_t>(n));
  }
  // An idle connection keeps no buffer of its own.
  if (unsent.capacity() > kKeepUnsentCapacity) std::string().swap(unsent);
  return true;
}

// Our close_notify before the TCP close, best effort: the WebSocket close has been said.
void Worker::send_close_notify(Connection& c) {
  if (!c.tls->handshake_done()) return;
  c.tls->close_notify();
  send_ciphertext(c);
}

}  // namespace levelcast
