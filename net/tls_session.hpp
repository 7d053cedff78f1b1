#pragma once
// TlsBuffers: one worker's buffers shared by all of its TLS connections, as uSockets does:
// `input` points at ciphertext just read into the worker's read buffer, `scratch` collects the
// ciphertext OpenSSL produces (handshake messages, records, alerts) until the worker writes it.
// No TLS connection owns a record buffer while idle (SSL_MODE_RELEASE_BUFFERS) and none owns a
// read or write buffer of its own here. Loop thread only.
//
// TlsSession: one connection's SSL, attached through a custom BIO to its worker's TlsBuffers.
// It never touches the socket: the worker feeds received ciphertext in and writes the scratch
// out. Ciphertext the socket would not take stays in `unsent` (a connection that falls behind
// keeps only what was already encrypted; the frames behind it stay plaintext pointers).
// Made with a socket instead (kTLS: OpenSSL can hand record keys only to a socket BIO), it runs
// the handshake on the socket itself; then what the kernel took over (kernel_sends(),
// kernel_receives()) stays on the socket and the rest moves to the worker's buffers, so
// user-space records after the handshake always take the one shared-buffer path.
// Loop thread only.
#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "net/handshake_clock.hpp"

namespace levelcast {

struct TlsBuffers {
  const uint8_t* input = nullptr;
  size_t input_left = 0;
  std::string scratch;  // reserved once; cleared by the worker after each write

  void feed(std::span<const uint8_t> ciphertext) {
    input = ciphertext.data();
    input_left = ciphertext.size();
  }
};

enum class TlsStatus : uint8_t {
  ok,      // progress made (handshake finished, or plaintext read)
  again,   // needs more ciphertext from the peer
  closed,  // the peer sent close_notify
  failed,  // protocol error or bad input: the connection ends
};

class TlsSession {
 public:
  // `socket_fd` >= 0: the handshake runs over a socket BIO on it (see above).
  TlsSession(SSL_CTX* ctx, TlsBuffers& buffers, int socket_fd = -1);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  bool valid() const { return ssl_ != nullptr; }
  bool handshake_done() const { return handshake_done_; }
  bool resumed() const { return SSL_session_reused(ssl_) == 1; }
  // The kernel encrypts what is sent on the socket (kTLS, SSL_OP_ENABLE_KTLS): such a
  // connection takes the plaintext write path, the same bytes as every plain subscriber. Known
  // once the handshake is done; only a session made with a socket can get it.
  bool kernel_sends() const { return kernel_sends_; }
  // OpenSSL reads the socket itself (no ciphertext is fed): during a handshake over the socket,
  // and afterwards when the kernel decrypts (kTLS receive).
  bool reads_socket() const { return reads_socket_; }
  // A handshake over the socket is waiting for the socket to take its bytes (EPOLLOUT).
  bool wants_write() const { return SSL_want_write(ssl_) != 0; }

  // Advances the handshake with the fed ciphertext; its answer lands in the scratch.
  TlsStatus handshake();
  // Decrypts one record's worth (or less) into `plain`; `n` bytes were written there.
  TlsStatus read(std::span<uint8_t> plain, size_t& n);
  // Encrypts `plain` into the scratch as whole records; false when the session is broken.
  bool encrypt(std::span<const uint8_t> plain);
  // Queues our close_notify alert into the scratch (once).
  void close_notify();
  // Why the last failure happened: OpenSSL's reason, one line (the error queue is emptied).
  std::string take_error();

  // The SSL itself, for tests that put a BIO of their own in front of the socket.
  SSL* native() { return ssl_; }

  // Ciphertext already produced that the socket has not taken yet.
  std::string& unsent() { return unsent_; }
  // The worker's record of how long the handshake waited for its per-turn budget (kept here,
  // not in Connection: only TLS handshakes wait for it).
  HandshakeClock& handshake_clock() { return handshake_clock_; }

 private:
  TlsStatus judge(int ret);
  bool leave_socket();

  SSL* ssl_ = nullptr;
  TlsBuffers* buffers_;
  std::string unsent_;
  HandshakeClock handshake_clock_;
  bool handshake_done_ = false;
  bool kernel_sends_ = false;
  bool reads_socket_ = false;
  bool shut_ = false;
};

// The BIO method every TlsSession's BIO uses (created once, thread-safe).
const BIO_METHOD* worker_buffer_bio_method();

}  // namespace levelcast
