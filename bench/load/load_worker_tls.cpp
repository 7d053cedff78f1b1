// The worker's byte transport: recv()/send() on a plain connection, SSL_read()/SSL_write() on
// a TLS one (--tls), both reporting "would block" as -1 with errno EAGAIN so that the callers
// treat them alike. The TLS handshake needs no state of its own: the first SSL_write (the
// upgrade request) runs it, and a write that must wait for the server's flight stays in
// `unsent` and is retried on the next readiness, like any other blocked write.
#include <openssl/err.h>
#include <sys/socket.h>

#include <cerrno>

#include "load_worker.hpp"

namespace levelcast::load {
namespace {
// Maps an SSL call's failure to the socket conventions: EAGAIN to retry, 0 for a clean end.
ssize_t tls_failure(SSL* ssl, int ret) {
  switch (SSL_get_error(ssl, ret)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_ZERO_RETURN:
      return 0;
    default:
      ERR_clear_error();
      errno = EPROTO;
      return -1;
  }
}
}  // namespace

ssize_t LoadWorker::read_some(Connection& c, char* buffer, std::size_t size) {
  if (c.ssl == nullptr) return ::recv(c.fd, buffer, size, 0);
  std::size_t got = 0;
  const int ret = SSL_read_ex(c.ssl, buffer, size, &got);
  return ret == 1 ? static_cast<ssize_t>(got) : tls_failure(c.ssl, ret);
}

ssize_t LoadWorker::write_some(Connection& c, const char* bytes, std::size_t size) {
  if (c.ssl == nullptr) return ::send(c.fd, bytes, size, MSG_NOSIGNAL);
  std::size_t sent = 0;
  const int ret = SSL_write_ex(c.ssl, bytes, size, &sent);
  if (ret == 1) return static_cast<ssize_t>(sent);
  const ssize_t failure = tls_failure(c.ssl, ret);
  if (failure == 0) errno = EPIPE;
  return -1;
}

// Before the upgrade request: a TLS session on the new socket, resuming the last ticket.
bool LoadWorker::start_tls(Connection& c) {
  c.ssl = plan_.tls->connect(c.fd, options_.tls_resume ? resume_from_ : nullptr);
  return c.ssl != nullptr;
}

// The upgrade was answered: count a resumed handshake; keep a fresh ticket for the next one.
void LoadWorker::on_tls_opened(Connection& c) {
  if (SSL_session_reused(c.ssl) == 1) {
    ++stats_.tls_resumed;
    return;
  }
  if (!options_.tls_resume) return;
  SSL_SESSION* session = SSL_get1_session(c.ssl);
  if (session != nullptr && SSL_SESSION_is_resumable(session) == 1) {
    if (resume_from_ != nullptr) SSL_SESSION_free(resume_from_);
    resume_from_ = session;
  } else if (session != nullptr) {
    SSL_SESSION_free(session);
  }
}

// No close_notify (the WebSocket close has been said, or the connection failed); marked as
// shut so that OpenSSL keeps the session's ticket usable.
void LoadWorker::end_tls(Connection& c) {
  if (c.ssl == nullptr) return;
  SSL_set_shutdown(c.ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  SSL_free(c.ssl);
  c.ssl = nullptr;
}

}  // namespace levelcast::load
