#pragma once
// The TLS unit tests' peer: a test CA made once per test binary by tests/tls/make-test-ca (the
// openssl command), and a real OpenSSL client in memory (memory BIOs) whose bytes the test
// carries to and from a server TlsSession.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "net/tls_context.hpp"
#include "net/tls_session.hpp"

namespace levelcast::tls_test {

inline const std::string& ca_dir() {
  static const std::string dir = [] {
    std::string d = (std::filesystem::temp_directory_path() /
                     ("levelcast-tls-unit-" + std::to_string(::getpid())))
                        .string();
    const std::string command = std::string(LEVELCAST_MAKE_TEST_CA) + " " + d;
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return d;
  }();
  return dir;
}

// A ticket key ring on the clock the ticket callback reads, rotating every 12 hours.
inline std::shared_ptr<TicketKeyRing> ring() {
  return std::make_shared<TicketKeyRing>(12 * 3600, mono_nanos() / kNanosPerSecond);
}

inline TlsFiles pair(const std::string& name) { return {ca_dir() + "/" + name + ".pem", ca_dir() + "/" + name + ".key"}; }

// A TLS client in memory: what it writes is fed to the server session, what the server's
// scratch holds goes back to it.
struct Client {
  SSL_CTX* ctx;
  SSL* ssl = nullptr;
  BIO* to_client = BIO_new(BIO_s_mem());
  BIO* from_client = BIO_new(BIO_s_mem());

  explicit Client(int max_version = 0, const char* alpn = "\x08http/1.1",
                  SSL_SESSION* resume = nullptr, SSL_CTX* shared = nullptr)
      : ctx(shared != nullptr ? shared : SSL_CTX_new(TLS_client_method())) {
    if (shared != nullptr) SSL_CTX_up_ref(shared);
    SSL_CTX_load_verify_locations(ctx, (ca_dir() + "/ca.pem").c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (max_version != 0) {
      SSL_CTX_set_min_proto_version(ctx, 0);
      SSL_CTX_set_max_proto_version(ctx, max_version);
      SSL_CTX_set_security_level(ctx, 0);
    }
    ssl = SSL_new(ctx);
    if (resume != nullptr) SSL_set_session(ssl, resume);
    SSL_set_bio(ssl, to_client, from_client);
    SSL_set_connect_state(ssl);
    SSL_set_tlsext_host_name(ssl, "localhost");
    SSL_set1_host(ssl, "localhost");
    if (alpn != nullptr) SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(alpn),
                                           static_cast<unsigned>(std::strlen(alpn)));
  }
  ~Client() {
    SSL_free(ssl);
    SSL_CTX_free(ctx);
  }
  std::string take_output() {
    std::string out;
    char chunk[4096];
    int n;
    while ((n = BIO_read(from_client, chunk, sizeof chunk)) > 0) out.append(chunk, n);
    return out;
  }
  void give(const std::string& bytes) { BIO_write(to_client, bytes.data(), static_cast<int>(bytes.size())); }
  std::string read_all() {
    std::string plain;
    char chunk[4096];
    size_t n = 0;
    while (SSL_read_ex(ssl, chunk, sizeof chunk, &n) == 1) plain.append(chunk, n);
    return plain;
  }
};

// Runs both sides until neither has anything to say; returns the server's last status.
inline TlsStatus pump(Client& client, TlsSession& server, TlsBuffers& buffers) {
  TlsStatus status = TlsStatus::again;
  for (int round = 0; round < 10; ++round) {
    SSL_do_handshake(client.ssl);
    const std::string to_server = client.take_output();
    if (to_server.empty() && round > 0) break;
    buffers.feed({reinterpret_cast<const uint8_t*>(to_server.data()), to_server.size()});
    status = server.handshake();
    EXPECT_EQ(buffers.input_left, 0u) << "OpenSSL keeps partial records itself";
    client.give(buffers.scratch);
    buffers.scratch.clear();
    if (status == TlsStatus::failed) break;
  }
  return status;
}

// Everything readable on a non-blocking socket now.
inline std::string drain(int fd) {
  std::string all;
  char chunk[65536];
  ssize_t n;
  while ((n = ::read(fd, chunk, sizeof chunk)) > 0) all.append(chunk, static_cast<size_t>(n));
  return all;
}

// The same for a session made with a socket: it reads and writes the socket itself; the test
// carries bytes between the socket's other end (`peer`, non-blocking) and the client. Stops once
// the server has finished or failed, or the socket holds the server up (want write).
inline TlsStatus pump_socket(Client& client, TlsSession& server, int peer) {
  TlsStatus status = TlsStatus::again;
  for (int round = 0; round < 10 && status == TlsStatus::again; ++round) {
    SSL_do_handshake(client.ssl);
    const std::string to_server = client.take_output();
    if (!to_server.empty()) {
      EXPECT_EQ(::send(peer, to_server.data(), to_server.size(), 0), static_cast<ssize_t>(to_server.size()));
    }
    status = server.handshake();
    if (server.wants_write()) break;
    client.give(drain(peer));
  }
  return status;
}

// Stands for a socket BIO whose kernel took over sending (kTLS) on a kernel without it: a
// filter in front of the session's socket BIO that accepts OpenSSL's request to install the
// write keys and from then on says "the kernel sends". OpenSSL then writes records unencrypted
// (as it does for kTLS), and they reach the socket as they are. BIO_CTRL_SET_KTLS (72) and the
// record-type control messages (74, 75) are OpenSSL's internal numbers (bio.h reserves them).
inline long fake_ktls_ctrl(BIO* bio, int command, long num, void* ptr) {
  switch (command) {
    case 72:  // BIO_CTRL_SET_KTLS: num is non-zero for the sending direction
      if (num == 0) return 0;
      BIO_set_data(bio, bio);
      return 1;
    case BIO_CTRL_GET_KTLS_SEND: return BIO_get_data(bio) != nullptr ? 1 : 0;
    case BIO_CTRL_GET_KTLS_RECV: return 0;
    case 74:
    case 75: return 1;
    default: return BIO_ctrl(BIO_next(bio), command, num, ptr);
  }
}

inline int fake_ktls_write(BIO* bio, const char* in, int size) {
  BIO_clear_retry_flags(bio);
  const int n = BIO_write(BIO_next(bio), in, size);
  BIO_copy_next_retry(bio);
  return n;
}

inline int fake_ktls_read(BIO* bio, char* out, int size) {
  BIO_clear_retry_flags(bio);
  const int n = BIO_read(BIO_next(bio), out, size);
  BIO_copy_next_retry(bio);
  return n;
}

// Puts the stand-in in front of a socket session's BIO (before its handshake).
inline void fake_kernel_tls(TlsSession& session) {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_FILTER, "fake kTLS");
    BIO_meth_set_write(m, fake_ktls_write);
    BIO_meth_set_read(m, fake_ktls_read);
    BIO_meth_set_ctrl(m, fake_ktls_ctrl);
    BIO_meth_set_create(m, [](BIO* b) { BIO_set_init(b, 1); return 1; });
    return m;
  }();
  SSL* ssl = session.native();
  BIO* socket = SSL_get_rbio(ssl);
  BIO_up_ref(socket);
  BIO* filter = BIO_push(BIO_new(method), socket);
  SSL_set_bio(ssl, filter, filter);
}

}  // namespace levelcast::tls_test
