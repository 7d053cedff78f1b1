#pragma once
// The broadcast round for TLS subscribers. The producer's frame is encoded once, as for everyone;
// for a TLS subscriber with nothing pending it is encrypted into the worker's write scratch
// (TlsBuffers) and those records go out in the same round as the plaintext sends (the same
// io_uring submission). A TLS subscriber that is behind is queued exactly like a plain one:
// references to the plaintext frames (bounded, latest value wins); the worker encrypts only
// what it is about to write (Worker::write_tls_output). A connection whose kernel does the
// encryption (kTLS) is not handled here: it takes the plaintext path. Loop thread only.
#include <string_view>

#include "net/connection.hpp"
#include "net/fan_out.hpp"
#include "net/tls_session.hpp"

namespace levelcast {

// This connection's bytes are encrypted in user space (TLS without kernel offload).
inline bool encrypts_itself(const Connection* c) { return c->tls != nullptr && !c->tls->kernel_sends(); }

// Nothing pending: neither plaintext queued nor ciphertext the socket has not taken yet.
inline bool nothing_pending(const Connection* c) {
  return c->out.empty() && (c->tls == nullptr || c->tls->unsent().empty());
}

// Appends the batch, encrypted for `c`, to the scratch; false when the session is broken.
bool encrypt_batch(Connection* c, const FrameBatch& batch);

// The send() path for one idle TLS subscriber: encrypt into the scratch, one send().
void send_encrypted(Connection* c, const FrameBatch& batch, FanOutContext& ctx, FanOutResult& r);

// Books a direct write of `ciphertext` (c's encrypted batch) that took `result` bytes (or
// -errno): what the socket did not take waits in the session's `unsent`.
void settle_tls_write(Connection* c, const FrameBatch& batch, std::string_view ciphertext, long result,
                      FanOutContext& ctx, FanOutResult& r);

}  // namespace levelcast
