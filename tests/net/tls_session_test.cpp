// TlsContext, TlsContextStore and TlsSession against a real OpenSSL client in the same process
// (memory BIOs), with certificates made by tests/tls/make-test-ca (the openssl command).
#include "net/tls_session.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "net/tls_context.hpp"
#include "tests/net/tls_test_peer.hpp"

namespace levelcast {
namespace {

using tls_test::ca_dir;
using tls_test::Client;
using tls_test::pair;
using tls_test::pump;

class TlsSessionTest : public ::testing::Test {
 protected:
  std::shared_ptr<TicketKeyRing> ring = tls_test::ring();
  TlsBuffers buffers;
};

TEST_F(TlsSessionTest, EcdsaHandshakeNegotiatesTls13AndHttp11) {
  std::string error;
  auto context = TlsContext::build(pair("ec"), ring, error);
  ASSERT_TRUE(context) << error;
  EXPECT_GT(context->not_after_unix(), std::time(nullptr));
  Client client;
  TlsSession server(context->get(), buffers);
  ASSERT_TRUE(server.valid());
  EXPECT_EQ(pump(client, server, buffers), TlsStatus::ok);
  EXPECT_TRUE(server.handshake_done());
  EXPECT_EQ(SSL_version(client.ssl), TLS1_3_VERSION);
  const unsigned char* proto = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(client.ssl, &proto, &length);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(proto), length), "http/1.1");
  EXPECT_FALSE(server.resumed());
}

TEST_F(TlsSessionTest, ApplicationDataBothWays) {
  std::string error;
  auto context = TlsContext::build(pair("rsa"), ring, error);
  ASSERT_TRUE(context) << error;
  Client client;
  TlsSession server(context->get(), buffers);
  ASSERT_EQ(pump(client, server, buffers), TlsStatus::ok);

  const std::string request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
  SSL_write(client.ssl, request.data(), static_cast<int>(request.size()));
  const std::string ciphertext = client.take_output();
  // Fed one byte at a time: partial records wait inside OpenSSL, never in a buffer of ours.
  std::string received;
  uint8_t plain[16384];
  for (char byte : ciphertext) {
    buffers.feed({reinterpret_cast<const uint8_t*>(&byte), 1});
    size_t n = 0;
    while (server.read(plain, n) == TlsStatus::ok) received.append(reinterpret_cast<char*>(plain), n);
    ASSERT_EQ(buffers.input_left, 0u);
  }
  EXPECT_EQ(received, request);

  const std::string frame(600, 'x');
  ASSERT_TRUE(server.encrypt({reinterpret_cast<const uint8_t*>(frame.data()), frame.size()}));
  ASSERT_TRUE(server.encrypt({reinterpret_cast<const uint8_t*>(frame.data()), 130}));
  client.give(buffers.scratch);
  buffers.scratch.clear();
  EXPECT_EQ(client.read_all(), frame + frame.substr(0, 130));

  server.close_notify();
  client.give(buffers.scratch);
  buffers.scratch.clear();
  client.read_all();
  EXPECT_EQ(SSL_get_shutdown(client.ssl) & SSL_RECEIVED_SHUTDOWN, SSL_RECEIVED_SHUTDOWN);
}

TEST_F(TlsSessionTest, PeerCloseNotifyIsClosed) {
  std::string error;
  auto context = TlsContext::build(pair("ec"), ring, error);
  ASSERT_TRUE(context) << error;
  Client client;
  TlsSession server(context->get(), buffers);
  ASSERT_EQ(pump(client, server, buffers), TlsStatus::ok);
  SSL_shutdown(client.ssl);
  const std::string alert = client.take_output();
  buffers.feed({reinterpret_cast<const uint8_t*>(alert.data()), alert.size()});
  uint8_t plain[64];
  size_t n = 0;
  TlsStatus status;
  while ((status = server.read(plain, n)) == TlsStatus::ok) {
  }
  EXPECT_EQ(status, TlsStatus::closed);
}

// A ticket from the first connection resumes the second, also after a certificate reload:
// the ticket key ring is kept.
TEST_F(TlsSessionTest, TicketsResumeAcrossReload) {
  std::string error;
  auto store = TlsContextStore::open(pair("ec"), ring, error);
  ASSERT_TRUE(store) << error;
  uint64_t generation = 0;
  SSL_SESSION* ticket = nullptr;
  SSL_CTX* client_ctx = SSL_CTX_new(TLS_client_method());
  {
    SSL_CTX* ctx = store->acquire(generation);
    Client client(0, "\x08http/1.1", nullptr, client_ctx);
    TlsSession server(ctx, buffers);
    SSL_CTX_free(ctx);
    ASSERT_EQ(pump(client, server, buffers), TlsStatus::ok);
    client.read_all();  // takes the NewSessionTicket
    ticket = SSL_get1_session(client.ssl);
    ASSERT_TRUE(SSL_SESSION_is_resumable(ticket));
    SSL_shutdown(client.ssl);  // a client that ends without close_notify spoils its ticket
  }
  ASSERT_TRUE(store->reload(tls_test::pair("ec"), error)) << error;
  EXPECT_EQ(store->generation(), generation + 1);
  SSL_CTX* ctx = store->acquire(generation);
  Client client(0, "\x08http/1.1", ticket, client_ctx);
  SSL_CTX_free(client_ctx);
  TlsSession server(ctx, buffers);
  SSL_CTX_free(ctx);
  ASSERT_EQ(pump(client, server, buffers), TlsStatus::ok);
  EXPECT_TRUE(server.resumed());
  EXPECT_TRUE(SSL_session_reused(client.ssl));
  SSL_SESSION_free(ticket);
}

// Over a socket (--tls-bio socket, and kTLS): the handshake reads and writes the socket; with
// no kernel TLS (a Unix socket never has it) the session then moves to the worker's buffers
// and runs exactly as one made over them.
TEST_F(TlsSessionTest, HandshakeOverTheSocketThenRecordsThroughTheWorkerBuffers) {
  std::string error;
  auto context = TlsContext::build(pair("ec"), ring, error);
  ASSERT_TRUE(context) << error;
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  Client client;
  TlsSession server(context->get(), buffers, fds[0]);
  ASSERT_TRUE(server.valid());
  EXPECT_TRUE(server.reads_socket());
  ASSERT_EQ(tls_test::pump_socket(client, server, fds[1]), TlsStatus::ok);
  EXPECT_FALSE(server.kernel_sends());
  EXPECT_FALSE(server.reads_socket());
  EXPECT_TRUE(buffers.scratch.empty()) << "the handshake went to the socket";
  client.read_all();  // the session ticket

  const std::string request = "GET /levels HTTP/1.1\r\n\r\n";
  SSL_write(client.ssl, request.data(), static_cast<int>(request.size()));
  const std::string ciphertext = client.take_output();
  buffers.feed({reinterpret_cast<const uint8_t*>(ciphertext.data()), ciphertext.size()});
  uint8_t plain[256];
  size_t n = 0;
  ASSERT_EQ(server.read(plain, n), TlsStatus::ok);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(plain), n), request);
  const std::string frame(300, 'f');
  ASSERT_TRUE(server.encrypt({reinterpret_cast<const uint8_t*>(frame.data()), frame.size()}));
  client.give(buffers.scratch);
  buffers.scratch.clear();
  EXPECT_EQ(client.read_all(), frame);
  EXPECT_EQ(tls_test::drain(fds[1]), "") << "nothing more went to the socket by itself";
  ::close(fds[0]);
  ::close(fds[1]);
}

// A socket that does not take the server's flight: the handshake waits for it to drain (want
// write) and goes on where it stopped.
TEST_F(TlsSessionTest, AHandshakeHeldUpByTheSocketWaitsForWrite) {
  std::string error;
  auto context = TlsContext::build(pair("rsa"), ring, error);
  ASSERT_TRUE(context) << error;
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  const std::string filler(4096, 'x');
  size_t filled = 0;
  ssize_t sent;
  while ((sent = ::send(fds[0], filler.data(), filler.size(), 0)) > 0) filled += static_cast<size_t>(sent);
  Client client;
  TlsSession server(context->get(), buffers, fds[0]);
  EXPECT_EQ(tls_test::pump_socket(client, server, fds[1]), TlsStatus::again);
  EXPECT_TRUE(server.wants_write());
  // The peer reads the filler; what follows it is the server's flight, resumed on the next call.
  std::string received;
  TlsStatus status = TlsStatus::again;
  for (int round = 0; round < 100 && received.size() < filled; ++round) {
    received += tls_test::drain(fds[1]);
    status = server.handshake();
  }
  ASSERT_GE(received.size(), filled);
  EXPECT_EQ(received.substr(0, filled), std::string(filled, 'x'));
  EXPECT_EQ(status, TlsStatus::again);
  EXPECT_FALSE(server.wants_write());
  client.give(received.substr(filled) + tls_test::drain(fds[1]));
  EXPECT_EQ(tls_test::pump_socket(client, server, fds[1]), TlsStatus::ok);
  EXPECT_TRUE(server.handshake_done());
  EXPECT_FALSE(server.reads_socket());
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_F(TlsSessionTest, BadPairsAreRefusedWithAReason) {
  struct Case {
    TlsFiles files;
    const char* says;
  };
  const Case cases[] = {
      {{ca_dir() + "/ec.pem", ca_dir() + "/rsa.key"}, "does not match"},
      {pair("p384"), "not P-256"},
      {pair("rsa1024"), "rsa1024"},
      {{ca_dir() + "/garbage.pem", ca_dir() + "/ec.key"}, "certificate"},
      {{ca_dir() + "/ec.pem", ca_dir() + "/garbage.pem"}, "key"},
      {{ca_dir() + "/missing.pem", ca_dir() + "/ec.key"}, "missing.pem"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_FALSE(TlsContext::build(c.files, ring, error)) << c.files.cert_file;
    EXPECT_NE(error.find(c.says), std::string::npos) << error;
  }
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(TlsSessionTest, ReloadWithBadPairKeepsTheOld) {
  const std::string dir = ca_dir() + "/reload";
  std::filesystem::create_directories(dir);
  const TlsFiles live{dir + "/cert.pem", dir + "/key.pem"};
  std::filesystem::copy_file(pair("ec").cert_file, live.cert_file);
  std::filesystem::copy_file(pair("ec").key_file, live.key_file);
  std::string error;
  auto store = TlsContextStore::open(live, ring, error);
  ASSERT_TRUE(store) << error;
  const uint64_t before = store->generation();
  std::filesystem::copy_file(pair("rsa").cert_file, live.cert_file,
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_FALSE(store->reload(live, error));
  EXPECT_NE(error.find("does not match"), std::string::npos) << error;
  EXPECT_EQ(store->generation(), before);
  std::filesystem::copy_file(pair("rsa").key_file, live.key_file,
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_TRUE(store->reload(live, error)) << error;
  EXPECT_EQ(store->generation(), before + 1);
}

TEST_F(TlsSessionTest, OldProtocolsGarbageAndForeignAlpnFail) {
  std::string error;
  auto context = TlsContext::build(pair("ec"), ring, error);
  ASSERT_TRUE(context) << error;
  {
    Client old(TLS1_1_VERSION);
    TlsSession server(context->get(), buffers);
    EXPECT_EQ(pump(old, server, buffers), TlsStatus::failed);
    EXPECT_FALSE(server.take_error().empty());
  }
  {
    Client h2_only(0, "\x02h2");
    TlsSession server(context->get(), buffers);
    EXPECT_EQ(pump(h2_only, server, buffers), TlsStatus::failed);
    server.take_error();
  }
  {
    TlsSession server(context->get(), buffers);
    const std::string plain_http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    buffers.feed({reinterpret_cast<const uint8_t*>(plain_http.data()), plain_http.size()});
    EXPECT_EQ(server.handshake(), TlsStatus::failed);
    server.take_error();
    buffers.scratch.clear();
  }
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(KernelTls, ProbeSaysWhy) {
  std::string why;
  kernel_tls_available(why);
  EXPECT_FALSE(why.empty());
}

}  // namespace
}  // namespace levelcast
