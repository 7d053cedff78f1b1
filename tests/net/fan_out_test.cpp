#include "net/fan_out.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <string>

#include "net/socket.hpp"
#include "net/uring_fan_out.hpp"
#include "net/ws_frame.hpp"

namespace levelcast {
namespace {

using Round = std::function<FanOutResult(std::span<Connection* const>, HeldFrame*, FrameLeases&,
                                         std::vector<Connection*>&, std::vector<Connection*>&)>;

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

class FanOut : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (std::string(GetParam()) == "send") {
      round_ = fan_out_frame;
      return;
    }
    std::string why;
    uring_ = UringFanOut::create(why);
    if (!uring_) GTEST_SKIP() << why;
    round_ = [this](auto subs, auto held, auto& leases, auto& waiting, auto& broken) {
      return uring_->fan_out(subs, held, leases, waiting, broken);
    };
  }
  std::unique_ptr<UringFanOut> uring_;
  Round round_;
};

TEST_P(FanOut, EverySubscriberGetsTheSameBytes) {
  Subscribers subs(5);
  FrameLeases leases;
  HeldFrame* held = leases.hold(make_shared_frame(Opcode::text, as_bytes("{\"seq\":1}"), 1));
  std::vector<Connection*> waiting, broken;
  const FanOutResult r = round_(subs.view, held, leases, waiting, broken);
  EXPECT_EQ(r.sent, 5u);
  EXPECT_EQ(r.bytes, 5 * held->frame->size());
  EXPECT_TRUE(waiting.empty());
  EXPECT_TRUE(broken.empty());
  const std::string expected(reinterpret_cast<const char*>(held->frame->data()), held->frame->size());
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(subs.read_peer(i), expected);
  leases.unuse(held);
  EXPECT_EQ(leases.held_count(), 0u);
}

TEST_P(FanOut, AStalledSubscriberQueuesTheLatestAndDropsTheRest) {
  Subscribers subs(2);
  int small = 4096;
  setsockopt(subs.view[0]->fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  FrameLeases leases;
  const std::string payload(3000, 'p');
  std::vector<Connection*> waiting, broken;
  uint64_t dropped = 0;
  for (int round = 0; round < 50; ++round) {
    HeldFrame* held = leases.hold(make_shared_frame(Opcode::binary, as_bytes(payload), 1));
    dropped += round_(subs.view, held, leases, waiting, broken).dropped;
    leases.unuse(held);
    subs.read_peer(1);  // the second subscriber keeps up
  }
  EXPECT_EQ(waiting.size(), 1u);  // subscriber 0 went pending once
  EXPECT_EQ(waiting[0], subs.view[0]);
  EXPECT_GT(dropped, 0u);
  EXPECT_TRUE(subs.view[1]->out.empty());
  EXPECT_LE(leases.held_count(), 2u);  // at most the frame being written and the newest
  subs.view[0]->out.clear(leases);
  EXPECT_EQ(leases.held_count(), 0u);
}

TEST_P(FanOut, ABrokenSubscriberIsReported) {
  Subscribers subs(2);
  subs.peers[0].reset();  // the client went away
  FrameLeases leases;
  HeldFrame* held = leases.hold(make_shared_frame(Opcode::text, as_bytes("x"), 1));
  std::vector<Connection*> waiting, broken;
  const FanOutResult r = round_(subs.view, held, leases, waiting, broken);
  EXPECT_EQ(r.sent, 1u);
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0], subs.view[0]);
  leases.unuse(held);
}

INSTANTIATE_TEST_SUITE_P(WritePaths, FanOut, ::testing::Values("send", "io_uring"));

}  // namespace
}  // namespace levelcast
