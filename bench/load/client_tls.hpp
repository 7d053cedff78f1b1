#pragma once
// ClientTls: levelcast-load's TLS client context (--tls): TLS 1.2+, ALPN http/1.1, session
// tickets kept for --tls-resume. The server's certificate is not verified: the tool drives a
// server on loopback with the test's own certificate, and verification would only add client
// CPU to what is measured. Made once by main; SSL_new() from it is safe from every worker.
#include <openssl/ssl.h>

namespace levelcast::load {

class ClientTls {
 public:
  ClientTls();
  ~ClientTls();
  ClientTls(const ClientTls&) = delete;
  ClientTls& operator=(const ClientTls&) = delete;

  // A client SSL on the connected socket `fd`, offering `resume` (may be null) for resumption;
  // null when OpenSSL refuses.
  SSL* connect(int fd, SSL_SESSION* resume) const;

 private:
  SSL_CTX* ctx_;
};

}  // namespace levelcast::load
