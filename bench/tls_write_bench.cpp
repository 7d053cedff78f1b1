// levelcast-tls-write-bench: the user-space cost of one broadcast delivery over TLS, without
// the kernel: N server sessions (TlsSession on the worker's shared buffers, as in the worker)
// finish a TLS 1.3 handshake with an in-memory client, then each round encrypts one frame for
// every session in turn, as a broadcast round does. Prints ns per encrypt, for N sessions
// (1,000 fit the caches, 10,000 do not: issue 12's 1,000 vs 10,000 gap).
//
//   levelcast-tls-write-bench CERT KEY SESSIONS [ROUNDS] [FRAME_BYTES]
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "net/tls_context.hpp"
#include "net/tls_session.hpp"

namespace {
using namespace levelcast;

// Client bytes to the server, server bytes back, until both ends are done.
bool handshake(SSL_CTX* client_ctx, TlsSession& server, TlsBuffers& buffers) {
  SSL* client = SSL_new(client_ctx);
  BIO* to_server = BIO_new(BIO_s_mem());
  BIO* from_server = BIO_new(BIO_s_mem());
  SSL_set_bio(client, from_server, to_server);
  SSL_set_connect_state(client);
  bool done = false;
  for (int step = 0; step < 8 && !done; ++step) {
    SSL_do_handshake(client);
    char* data = nullptr;
    const long n = BIO_get_mem_data(to_server, &data);
    std::string sent(data, static_cast<size_t>(n));
    (void)BIO_reset(to_server);
    buffers.feed({reinterpret_cast<const uint8_t*>(sent.data()), sent.size()});
    if (server.handshake() == TlsStatus::failed) break;
    BIO_write(from_server, buffers.scratch.data(), static_cast<int>(buffers.scratch.size()));
    buffers.scratch.clear();
    done = server.handshake_done() && SSL_is_init_finished(client);
  }
  SSL_free(client);
  return done;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s CERT KEY SESSIONS [ROUNDS] [FRAME_BYTES]\n", argv[0]);
    return 2;
  }
  const size_t sessions = std::strtoul(argv[3], nullptr, 10);
  const int rounds = argc > 4 ? std::atoi(argv[4]) : 20;
  const size_t frame_bytes = argc > 5 ? std::strtoul(argv[5], nullptr, 10) : 125;
  std::string error;
  auto store = TlsContextStore::open({argv[1], argv[2]}, error);
  if (!store) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  uint64_t generation = 0;
  SSL_CTX* server_ctx = store->acquire(generation);
  SSL_CTX* client_ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(client_ctx, SSL_VERIFY_NONE, nullptr);
  TlsBuffers buffers;
  buffers.scratch.reserve(1 << 20);
  std::vector<std::unique_ptr<TlsSession>> all;
  for (size_t i = 0; i < sessions; ++i) {
    all.push_back(std::make_unique<TlsSession>(server_ctx, buffers));
    if (!handshake(client_ctx, *all.back(), buffers)) {
      std::fprintf(stderr, "handshake %zu failed\n", i);
      return 1;
    }
  }
  const std::string frame(frame_bytes, 'x');
  const std::span<const uint8_t> plain(reinterpret_cast<const uint8_t*>(frame.data()), frame.size());
  double best = 1e30;
  for (int round = 0; round < rounds; ++round) {
    const auto start = std::chrono::steady_clock::now();
    for (auto& session : all) {
      buffers.scratch.clear();
      if (!session->encrypt(plain)) return 1;
    }
    const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count() / static_cast<double>(sessions));
  }
  std::printf("sessions %zu frame %zu bytes: %.0f ns per encrypt (best of %d rounds)\n", sessions,
              frame_bytes, best, rounds);
  for (auto& session : all) session.reset();
  SSL_CTX_free(client_ctx);
  SSL_CTX_free(server_ctx);
  return 0;
}
