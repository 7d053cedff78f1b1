#include "net/tls_session.hpp"

#include <openssl/err.h>

#include <algorithm>
#include <cstring>

#include "core/check.hpp"
#include "net/tls_context.hpp"

namespace levelcast {
namespace {

TlsBuffers& buffers_of(BIO* bio) { return *static_cast<TlsBuffers*>(BIO_get_data(bio)); }

// Serves the ciphertext the worker fed; once it is used up OpenSSL must wait for the socket.
int bio_read(BIO* bio, char* out, int size) {
  TlsBuffers& b = buffers_of(bio);
  BIO_clear_retry_flags(bio);
  if (b.input_left == 0) {
    BIO_set_retry_read(bio);
    return -1;
  }
  const size_t n = std::min(b.input_left, static_cast<size_t>(size));
  std::memcpy(out, b.input, n);
  b.input += n;
  b.input_left -= n;
  return static_cast<int>(n);
}

// Everything OpenSSL writes is taken at once into the scratch: an SSL_write never half-fails.
int bio_write(BIO* bio, const char* in, int size) {
  BIO_clear_retry_flags(bio);
  buffers_of(bio).scratch.append(in, static_cast<size_t>(size));
  return size;
}

long bio_ctrl(BIO*, int command, long, void*) {
  // Flushing is the worker's business; every other control (kTLS, pending counts) is "no".
  return command == BIO_CTRL_FLUSH ? 1 : 0;
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO_METHOD* make_method() {
  BIO_METHOD* method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "levelcast worker");
  LC_CHECK(method != nullptr);
  BIO_meth_set_read(method, bio_read);
  BIO_meth_set_write(method, bio_write);
  BIO_meth_set_ctrl(method, bio_ctrl);
  BIO_meth_set_create(method, bio_create);
  return method;
}

}  // namespace

const BIO_METHOD* worker_buffer_bio_method() {
  static BIO_METHOD* const method = make_method();
  return method;
}

namespace {
BIO* new_worker_bio(TlsBuffers& buffers) {
  BIO* bio = BIO_new(worker_buffer_bio_method());
  if (bio != nullptr) BIO_set_data(bio, &buffers);
  return bio;
}

}  // namespace

TlsSession::TlsSession(SSL_CTX* ctx, TlsBuffers& buffers, int socket_fd) : buffers_(&buffers) {
  BIO* bio = socket_fd >= 0 ? BIO_new_socket(socket_fd, BIO_NOCLOSE) : new_worker_bio(buffers);
  ssl_ = bio != nullptr ? SSL_new(ctx) : nullptr;
  if (ssl_ == nullptr) {
    BIO_free(bio);
    ERR_clear_error();
    return;
  }
  SSL_set_bio(ssl_, bio, bio);  // one BIO both ways; the SSL owns it
  SSL_set_accept_state(ssl_);
  reads_socket_ = socket_fd >= 0;
}

TlsSession::~TlsSession() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

TlsStatus TlsSession::judge(int ret) {
  if (ret > 0) return TlsStatus::ok;
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      return TlsStatus::again;
    case SSL_ERROR_ZERO_RETURN:
      return TlsStatus::closed;
    default:
      return TlsStatus::failed;
  }
}

TlsStatus TlsSession::handshake() {
  const TlsStatus status = judge(SSL_do_handshake(ssl_));
  if (status == TlsStatus::ok) {
    handshake_done_ = true;
    kernel_sends_ = BIO_get_ktls_send(SSL_get_wbio(ssl_)) == 1;
    if (reads_socket_ && !leave_socket()) return TlsStatus::failed;
  }
  return status;
}

// After a handshake over the socket: the directions the kernel did not take over move to the
// worker's buffers. Nothing is pending in OpenSSL at this point (the handshake's last flight
// was written whole, and no record is read ahead), so swapping the BIO loses no byte.
bool TlsSession::leave_socket() {
  const bool kernel_receives = BIO_get_ktls_recv(SSL_get_rbio(ssl_)) == 1;
  if (kernel_sends_ && kernel_receives) return true;
  BIO* bio = new_worker_bio(*buffers_);
  if (bio == nullptr) return false;
  if (!kernel_sends_ && !kernel_receives) {
    SSL_set_bio(ssl_, bio, bio);
  } else if (kernel_receives) {
    SSL_set0_wbio(ssl_, bio);
  } else {
    SSL_set0_rbio(ssl_, bio);
  }
  reads_socket_ = kernel_receives;
  return true;
}

TlsStatus TlsSession::read(std::span<uint8_t> plain, size_t& n) {
  n = 0;
  const TlsStatus status = judge(SSL_read_ex(ssl_, plain.data(), plain.size(), &n));
  if (status == TlsStatus::ok) handshake_done_ = true;
  return status;
}

bool TlsSession::encrypt(std::span<const uint8_t> plain) {
  if (plain.empty()) return true;
  size_t written = 0;
  return SSL_write_ex(ssl_, plain.data(), plain.size(), &written) == 1 && written == plain.size();
}

void TlsSession::close_notify() {
  if (shut_ || !handshake_done_) return;
  shut_ = true;
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

std::string TlsSession::take_error() { return take_openssl_error("connection broken"); }

}  // namespace levelcast
