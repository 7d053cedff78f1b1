#include "client_tls.hpp"

#include <cstdlib>

namespace levelcast::load {
namespace {
// SSL_VERIFY_NONE alone still builds and checks the chain (the result is only ignored): this
// skips that work. The handshake's own signature (CertificateVerify) is still checked.
int accept_any_chain(X509_STORE_CTX*, void*) { return 1; }
}  // namespace

ClientTls::ClientTls() : ctx_(SSL_CTX_new(TLS_client_method())) {
  if (ctx_ == nullptr) std::abort();
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_cert_verify_callback(ctx_, accept_any_chain, nullptr);
  // Partial writes and a retried write from a moved buffer: the worker keeps what the socket
  // did not take in the connection's `unsent` and retries from there.
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                             SSL_MODE_RELEASE_BUFFERS);
  static const unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx_, kAlpn, sizeof kAlpn);
}

ClientTls::~ClientTls() { SSL_CTX_free(ctx_); }

SSL* ClientTls::connect(int fd, SSL_SESSION* resume) const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr) return nullptr;
  if (SSL_set_fd(ssl, fd) != 1 || (resume != nullptr && SSL_set_session(ssl, resume) != 1)) {
    SSL_free(ssl);
    return nullptr;
  }
  SSL_set_tlsext_host_name(ssl, "localhost");
  SSL_set_connect_state(ssl);
  return ssl;
}

}  // namespace levelcast::load
