// The broadcast round with TLS subscribers (net/tls_fan_out.hpp), both write paths: beside a
// plain subscriber, an idle TLS subscriber gets the round's frames encrypted into the worker's
// scratch and written in the same round; one whose socket is full keeps the ciphertext already
// made (unsent) and waits; one with output pending gets plaintext references queued. A real
// OpenSSL client (tls_test_peer.hpp) decrypts what its socket received.
#include "net/tls_fan_out.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <string>

#include "net/socket.hpp"
#include "net/uring_fan_out.hpp"
#include "tests/net/fan_out_paths.hpp"
#include "net/ws_frame.hpp"
#include "tests/net/tls_test_peer.hpp"

namespace levelcast {
namespace {

using fan_out_test::Round;

// One subscriber on a socketpair; with `tls`, a TLS session whose handshake with `client` was
// run in memory, so that from now on its records go through the socket.
struct Subscriber {
  Connection c;
  UniqueFd peer;
  std::unique_ptr<TlsSession> session;
  std::unique_ptr<tls_test::Client> client;

  // `over_socket`: the handshake runs over the socket, as with --tls-bio socket; `kernel`: and
  // a stand-in for kTLS takes the sending direction (tls_test::fake_kernel_tls).
  Subscriber(SSL_CTX* ctx, TlsBuffers* buffers, bool over_socket = false, bool kernel = false) {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    c.fd = fds[0];
    peer = UniqueFd(fds[1]);
    if (ctx == nullptr) return;
    session = std::make_unique<TlsSession>(ctx, *buffers, over_socket ? c.fd : -1);
    if (kernel) tls_test::fake_kernel_tls(*session);
    client = std::make_unique<tls_test::Client>();
    EXPECT_EQ(over_socket ? tls_test::pump_socket(*client, *session, peer.get())
                          : tls_test::pump(*client, *session, *buffers),
              TlsStatus::ok);
    // The session ticket (sent unencrypted to the stand-in "kernel": not for the client).
    if (!kernel) client->read_all();
    c.tls = session.get();
  }
  ~Subscriber() { ::close(c.fd); }
  std::string received() {
    std::string all;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(peer.get(), buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
    return all;
  }
  // What the TLS client decrypts from the bytes its socket received.
  std::string decrypted() {
    client->give(received());
    return client->read_all();
  }
};

class TlsFanOut : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    std::string error;
    context_ = TlsContext::build(tls_test::pair("ec"), tls_test::ring(), error);
    ASSERT_TRUE(context_) << error;
    std::string why;
    round_ = fan_out_test::round_for(GetParam(), uring_, why);
    if (!round_) GTEST_SKIP() << why;
  }
  HeldFrame* frame(const std::string& payload, uint64_t seq) {
    return leases_.hold(make_shared_frame(Opcode::text, as_bytes(payload), 1, seq));
  }
  FanOutResult round(std::vector<Connection*> subs, std::initializer_list<HeldFrame*> frames) {
    FrameBatch batch;
    for (HeldFrame* held : frames) batch.add(held);
    FanOutContext ctx{leases_, PendingBound{}, {waiting_, broken_}, &buffers_};
    const FanOutResult r = round_(subs, batch, ctx);
    for (HeldFrame* held : frames) leases_.unuse(held);
    EXPECT_TRUE(buffers_.scratch.empty()) << "the scratch is empty between operations";
    return r;
  }
  std::unique_ptr<TlsContext> context_;
  std::unique_ptr<UringFanOut> uring_;
  Round round_;
  TlsBuffers buffers_;
  FrameLeases leases_;
  std::vector<Connection*> waiting_, broken_;
};

TEST_P(TlsFanOut, PlainAndTlsSubscribersGetTheSameFramesInOneRound) {
  Subscriber plain(nullptr, nullptr);
  Subscriber tls_a(context_->get(), &buffers_);
  Subscriber tls_b(context_->get(), &buffers_);
  HeldFrame* a = frame("{\"seq\":1}", 1);
  HeldFrame* b = frame("{\"seq\":2}", 2);
  const std::string expected =
      std::string(reinterpret_cast<const char*>(a->frame->data()), a->frame->size()) +
      std::string(reinterpret_cast<const char*>(b->frame->data()), b->frame->size());
  const FanOutResult r = round({&plain.c, &tls_a.c, &tls_b.c}, {a, b});
  EXPECT_EQ(r.sent, 6u);
  EXPECT_TRUE(waiting_.empty());
  EXPECT_TRUE(broken_.empty());
  EXPECT_EQ(plain.received(), expected);
  EXPECT_EQ(tls_a.decrypted(), expected);
  EXPECT_EQ(tls_b.decrypted(), expected);
  EXPECT_GT(r.bytes, 3 * expected.size());  // records add their headers and tags
  EXPECT_EQ(leases_.held_count(), 0u);
}

// A session whose handshake ran over the socket and got no kernel TLS (none here) encrypts its
// own records, in the same round and through the same scratch as the others.
TEST_P(TlsFanOut, ASessionHandshakenOverTheSocketEncryptsInTheSameRound) {
  Subscriber plain(nullptr, nullptr);
  Subscriber shared(context_->get(), &buffers_);
  Subscriber socket(context_->get(), &buffers_, true);
  ASSERT_FALSE(socket.session->kernel_sends());
  ASSERT_TRUE(encrypts_itself(&socket.c));
  HeldFrame* a = frame("{\"seq\":3}", 3);
  const std::string expected(reinterpret_cast<const char*>(a->frame->data()), a->frame->size());
  const FanOutResult r = round({&plain.c, &socket.c, &shared.c}, {a});
  EXPECT_EQ(r.sent, 3u);
  EXPECT_TRUE(waiting_.empty());
  EXPECT_TRUE(broken_.empty());
  EXPECT_EQ(plain.received(), expected);
  EXPECT_EQ(socket.decrypted(), expected);
  EXPECT_EQ(shared.decrypted(), expected);
}

// A connection whose kernel encrypts (kTLS; a stand-in here) takes the plaintext path: the
// same bytes as the plain subscriber, written by the same code, no record made for it.
TEST_P(TlsFanOut, AKernelTlsSubscriberGetsThePlaintextWrites) {
  Subscriber plain(nullptr, nullptr);
  Subscriber kernel(context_->get(), &buffers_, true, true);
  if (!kernel.session->kernel_sends()) GTEST_SKIP() << "this OpenSSL does not offer kTLS for TLS 1.3";
  EXPECT_FALSE(encrypts_itself(&kernel.c));
  EXPECT_FALSE(kernel.session->reads_socket()) << "receiving stays in user space, through the worker's buffers";
  HeldFrame* a = frame("{\"seq\":4}", 4);
  HeldFrame* b = frame("{\"seq\":5}", 5);
  const std::string expected =
      std::string(reinterpret_cast<const char*>(a->frame->data()), a->frame->size()) +
      std::string(reinterpret_cast<const char*>(b->frame->data()), b->frame->size());
  const FanOutResult r = round({&plain.c, &kernel.c}, {a, b});
  EXPECT_EQ(r.sent, 4u);
  EXPECT_EQ(r.bytes, 2 * expected.size());
  EXPECT_EQ(plain.received(), expected);
  EXPECT_EQ(kernel.received(), expected);
  // What the client sends is still decrypted in user space, fed from the worker's read buffer.
  SSL_write(kernel.client->ssl, "ping", 4);
  const std::string ciphertext = kernel.client->take_output();
  buffers_.feed({reinterpret_cast<const uint8_t*>(ciphertext.data()), ciphertext.size()});
  uint8_t decrypted[16];
  size_t n = 0;
  ASSERT_EQ(kernel.session->read(decrypted, n), TlsStatus::ok) << kernel.session->take_error();
  EXPECT_EQ(std::string(reinterpret_cast<char*>(decrypted), n), "ping");
}

// A full socket: the records made for the round wait as ciphertext (a record cannot be taken
// back), the subscriber waits for EPOLLOUT; once written they decrypt to the frame.
TEST_P(TlsFanOut, AFullSocketKeepsTheRecordsMadeAndWaits) {
  Subscriber tls(context_->get(), &buffers_);
  const int small = 4096;
  setsockopt(tls.c.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  std::string filler(1 << 16, 'f');
  size_t filled = 0;
  ssize_t n;
  while ((n = ::send(tls.c.fd, filler.data(), filler.size(), MSG_DONTWAIT)) > 0) filled += static_cast<size_t>(n);
  HeldFrame* a = frame("{\"seq\":7}", 7);
  const std::string expected(reinterpret_cast<const char*>(a->frame->data()), a->frame->size());
  round({&tls.c}, {a});
  ASSERT_EQ(waiting_.size(), 1u);
  EXPECT_FALSE(tls.session->unsent().empty());
  EXPECT_TRUE(tls.c.out.empty());
  EXPECT_EQ(tls.received().size(), filled);  // the filler, then nothing of ours yet
  const std::string ciphertext = tls.session->unsent();
  tls.client->give(ciphertext);
  EXPECT_EQ(tls.client->read_all(), expected);
}

// Output pending (ciphertext unsent, or plaintext queued): the round's frames are queued as
// references to the shared plaintext, encrypted only when they are about to be written.
TEST_P(TlsFanOut, ABusySubscriberQueuesPlaintextReferences) {
  Subscriber tls(context_->get(), &buffers_);
  tls.session->unsent() = "earlier records";
  HeldFrame* a = frame("{\"seq\":1}", 1);
  HeldFrame* b = frame("{\"seq\":2}", 2);
  const FanOutResult r = round({&tls.c}, {a, b});
  EXPECT_EQ(r.sent, 0u);
  EXPECT_EQ(tls.c.out.frames_pending(), 2u);
  EXPECT_EQ(tls.session->unsent(), "earlier records");
  EXPECT_EQ(tls.received(), "");
  tls.c.out.clear(leases_);
  EXPECT_EQ(leases_.held_count(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Paths, TlsFanOut, ::testing::Values("send", "io_uring"));

}  // namespace
}  // namespace levelcast
