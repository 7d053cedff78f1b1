#include "net/fan_out.hpp"

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

namespace levelcast {
namespace {

using fan_out_test::Round;

// Subscribers on socketpairs; the test reads (or does not read) the other ends.
struct Subscribers {
  std::vector<std::unique_ptr<Connection>> connections;
  std::vector<Connection*> view;
  std::vector<UniqueFd> peers;
  explicit Subscribers(size_t n) {
    for (size_t i = 0; i < n; ++i) {
      int fds[2];
      EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
      auto c = std::make_unique<Connection>();
      c->fd = fds[0];
      view.push_back(c.get());
      connections.push_back(std::move(c));
      peers.emplace_back(fds[1]);
    }
  }
  ~Subscribers() {
    for (auto& c : connections) ::close(c->fd);
  }
  std::string read_peer(size_t i) {
    std::string all;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(peers[i].get(), buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
    return all;
  }
};

std::string frame_bytes(const HeldFrame* held) {
  return {reinterpret_cast<const char*>(held->frame->data()), held->frame->size()};
}

class FanOut : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    std::string why;
    round_ = fan_out_test::round_for(GetParam(), uring_, why);
    if (!round_) GTEST_SKIP() << why;
  }
  HeldFrame* frame(const std::string& payload, uint64_t seq = 1) {
    return leases_.hold(make_shared_frame(Opcode::text, as_bytes(payload), 1, seq));
  }
  // One round of `frames` (the test's uses of them are released afterwards).
  FanOutResult round(Subscribers& subs, std::initializer_list<HeldFrame*> frames) {
    FrameBatch batch;
    for (HeldFrame* held : frames) batch.add(held);
    FanOutContext ctx{leases_, bound_, {waiting_, broken_}};
    const FanOutResult r = round_(subs.view, batch, ctx);
    for (HeldFrame* held : frames) leases_.unuse(held);
    return r;
  }
  std::unique_ptr<UringFanOut> uring_;
  Round round_;
  FrameLeases leases_;
  PendingBound bound_;
  std::vector<Connection*> waiting_, broken_;
};

TEST_P(FanOut, EverySubscriberGetsTheSameBytes) {
  Subscribers subs(5);
  HeldFrame* held = frame("{\"seq\":1}");
  const std::string expected = frame_bytes(held);
  const FanOutResult r = round(subs, {held});
  EXPECT_EQ(r.sent, 5u);
  EXPECT_EQ(r.bytes, 5 * expected.size());
  EXPECT_TRUE(waiting_.empty());
  EXPECT_TRUE(broken_.empty());
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(subs.read_peer(i), expected);
  EXPECT_EQ(leases_.held_count(), 0u);
}

// A subscriber due three frames gets them in one write, in order: its peer finds all three in
// one read (a stream socket delivers one write's bytes together).
TEST_P(FanOut, ThreeFramesDueGoOutInOneWriteInOrder) {
  Subscribers subs(3);
  HeldFrame* a = frame("{\"seq\":1}", 1);
  HeldFrame* b = frame("{\"seq\":2}", 2);
  HeldFrame* c = frame("{\"seq\":3}", 3);
  const std::string expected = frame_bytes(a) + frame_bytes(b) + frame_bytes(c);
  const FanOutResult r = round(subs, {a, b, c});
  EXPECT_EQ(r.sent, 9u);
  EXPECT_EQ(r.bytes, 3 * expected.size());
  for (size_t i = 0; i < 3; ++i) {
    char buf[4096];
    const ssize_t n = ::read(subs.peers[i].get(), buf, sizeof buf);  // one read takes it all
    EXPECT_EQ(std::string(buf, static_cast<size_t>(std::max<ssize_t>(n, 0))), expected);
  }
  EXPECT_EQ(leases_.held_count(), 0u);
}

// Past the bound, the newest replaces every waiting frame: a reader that never reads holds at
// most the bound (here 4 frames), and the others are unaffected.
TEST_P(FanOut, TheBoundHoldsAndTheNewestWinsPastIt) {
  Subscribers subs(2);
  int small = 4096;
  setsockopt(subs.view[0]->fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  bound_ = PendingBound{4, 1 << 20};
  const std::string payload(3000, 'p');
  uint64_t dropped = 0;
  for (int i = 0; i < 50; ++i) {
    dropped += round(subs, {frame(payload, static_cast<uint64_t>(i + 1))}).dropped;
    subs.read_peer(1);  // the second subscriber keeps up
  }
  EXPECT_EQ(waiting_.size(), 1u);  // subscriber 0 went pending once
  EXPECT_EQ(waiting_[0], subs.view[0]);
  EXPECT_GT(dropped, 0u);
  EXPECT_LE(subs.view[0]->out.frames_pending(), 4u);
  EXPECT_TRUE(subs.view[1]->out.empty());
  EXPECT_LE(leases_.held_count(), 4u);
  subs.view[0]->out.clear(leases_);
  EXPECT_EQ(leases_.held_count(), 0u);
}

// A reader that is behind, but within the bound, loses nothing: every frame arrives, in order,
// once it reads again.
TEST_P(FanOut, AThrottledReaderWithinTheBoundSeesNoGap) {
  Subscribers subs(1);
  int small = 4096;
  setsockopt(subs.view[0]->fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  const std::string payload(1000, 'q');
  std::string expected;
  for (uint64_t seq = 1; seq <= 40; ++seq) {
    HeldFrame* held = frame(payload + std::to_string(seq), seq);
    expected += frame_bytes(held);
    round(subs, {held});
  }
  EXPECT_LT(subs.view[0]->out.frames_pending(), bound_.frames);
  std::string received;
  for (int i = 0; i < 1000 && !subs.view[0]->out.empty(); ++i) {
    received += subs.read_peer(0);
    ASSERT_FALSE(subs.view[0]->out.flush(subs.view[0]->fd, leases_).error);
  }
  received += subs.read_peer(0);
  EXPECT_EQ(received, expected);
  EXPECT_EQ(leases_.held_count(), 0u);
}

TEST_P(FanOut, ABrokenSubscriberIsReported) {
  Subscribers subs(2);
  subs.peers[0].reset();  // the client went away
  const FanOutResult r = round(subs, {frame("x")});
  EXPECT_EQ(r.sent, 1u);
  ASSERT_EQ(broken_.size(), 1u);
  EXPECT_EQ(broken_[0], subs.view[0]);
}

INSTANTIATE_TEST_SUITE_P(WritePaths, FanOut, ::testing::Values("send", "io_uring"));

}  // namespace
}  // namespace levelcast
