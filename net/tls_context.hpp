#pragma once
// TLS server configuration with OpenSSL 3.
//
// The session ticket keys: a TicketKeyRing (net/ticket_key_ring.hpp) made once at start-up and
// shared by every SSL_CTX built later, so tickets issued before a certificate reload still
// resume after it.
//
// TlsContext: one SSL_CTX built from a certificate chain and key that were checked to belong
// together (ECDSA P-256 or RSA >= 2048), TLS 1.2 minimum, ALPN http/1.1, session tickets from the
// ring, no server-side session cache, released record buffers. Immutable once built: safe from
// any thread; an SSL made from it keeps its SSL_CTX alive (OpenSSL refcount).
//
// TlsContextStore: the current TlsContext. reload() builds a new one on the calling thread (the
// signal thread, never a worker) and swaps it in only when the new pair is good. Workers ask
// for the current SSL_CTX when a TLS connection arrives; a cheap generation number lets them
// keep their copy until a reload happened. Safe from any thread.
#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/ticket_key_ring.hpp"

namespace levelcast {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

struct TlsFiles {
  std::string cert_file;  // PEM: leaf first, then the chain
  std::string key_file;   // PEM private key
};

class TlsContext {
 public:
  // Loads and checks the pair; nullptr with a one-line reason in `error` when it is unusable.
  static std::unique_ptr<TlsContext> build(const TlsFiles& files,
                                           std::shared_ptr<TicketKeyRing> ring,
                                           std::string& error);
  SSL_CTX* get() const { return ctx_.get(); }
  int64_t not_after_unix() const { return not_after_unix_; }  // the leaf's expiry
  const std::string& subject() const { return subject_; }

 private:
  TlsContext() = default;
  SslCtxPtr ctx_;
  std::shared_ptr<TicketKeyRing> ring_;  // used by the ticket callback through app data
  int64_t not_after_unix_ = 0;
  std::string subject_;
};

class TlsContextStore {
 public:
  TlsContextStore(std::unique_ptr<TlsContext> first, std::shared_ptr<TicketKeyRing> ring);
  // Builds the first context with `ring` for every context to come; nullptr and `error` when
  // the files are unusable.
  static std::unique_ptr<TlsContextStore> open(const TlsFiles& files, std::shared_ptr<TicketKeyRing> ring,
                                               std::string& error);

  // Reads `files` (the same or new paths); keeps the current context when the new pair is bad.
  // Returns whether the new pair was taken; `error` says why not.
  bool reload(const TlsFiles& files, std::string& error);
  // Bumped by every successful reload.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // The current SSL_CTX with one reference for the caller (SSL_CTX_free it), and its generation.
  SSL_CTX* acquire(uint64_t& generation) const;
  int64_t not_after_unix() const { return not_after_.load(std::memory_order_relaxed); }

 private:
  std::shared_ptr<TicketKeyRing> ring_;
  mutable std::mutex mutex_;
  std::unique_ptr<TlsContext> current_;  // guarded by mutex_
  std::atomic<uint64_t> generation_{1};
  std::atomic<int64_t> not_after_{0};
};

// OpenSSL's reason for the thread's last failure, one line (`fallback` when there is none);
// empties the thread's error queue.
std::string take_openssl_error(const char* fallback);

// Whether the kernel can take over TLS record encryption (kTLS): tries the "tls" upper layer
// protocol on a connected loopback socket. `why` says what was found.
bool kernel_tls_available(std::string& why);

}  // namespace levelcast
