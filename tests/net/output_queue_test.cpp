#include "net/output_queue.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "net/socket.hpp"
#include "net/ws_frame.hpp"

namespace levelcast {
namespace {

struct SocketPair {
  UniqueFd writer, reader;
  SocketPair() {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    writer.reset(fds[0]);
    reader.reset(fds[1]);
  }
  std::string drain() {
    std::string all;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(reader.get(), buf, sizeof(buf))) > 0) all.append(buf, static_cast<size_t>(n));
    return all;
  }
};

std::string frame_text(const std::string& payload) {
  std::string out;
  append_frame(out, Opcode::text, as_bytes(payload));
  return out;
}

TEST(OutputQueue, WritesOwnBytesBeforeTheWaitingFrameInOrder) {
  SocketPair pair;
  FrameLeases leases;
  OutputQueue q;
  HeldFrame* held = leases.hold(make_shared_frame(Opcode::text, as_bytes("snap"), 1));
  q.append_own("RESPONSE");
  q.offer(held, leases, PendingBound{});
  leases.unuse(held);  // the queue keeps it alive
  const FlushResult r = q.flush(pair.writer.get(), leases);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.frames_completed, 1u);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(pair.drain(), "RESPONSE" + frame_text("snap"));
  EXPECT_EQ(leases.held_count(), 0u);
}

TEST(OutputQueue, KeepsARunWithinTheBoundAndTheLatestPastIt) {
  FrameLeases leases;
  OutputQueue q;
  const PendingBound bound{2, 1 << 20};
  HeldFrame* a = leases.hold(make_shared_frame(Opcode::text, as_bytes("a"), 1));
  HeldFrame* b = leases.hold(make_shared_frame(Opcode::text, as_bytes("b"), 1));
  HeldFrame* c = leases.hold(make_shared_frame(Opcode::text, as_bytes("c"), 1));
  EXPECT_EQ(q.offer(a, leases, bound), 0u);
  EXPECT_EQ(q.offer(b, leases, bound), 0u);  // within the bound: both kept
  EXPECT_EQ(q.offer(c, leases, bound), 2u);  // past it: c replaces a and b
  leases.unuse(a);
  leases.unuse(b);
  leases.unuse(c);
  EXPECT_EQ(leases.held_count(), 1u);  // only c is still referenced, by the queue
  EXPECT_EQ(q.frames_pending(), 1u);
  q.clear(leases);
  EXPECT_EQ(leases.held_count(), 0u);
}

TEST(OutputQueue, AFrameLargerThanTheByteBoundStillGoesIntoAnEmptyQueue) {
  FrameLeases leases;
  OutputQueue q;
  HeldFrame* big = leases.hold(make_shared_frame(Opcode::text, as_bytes(std::string(5000, 'b')), 1));
  EXPECT_TRUE(q.has_room(*big, PendingBound{4, 1000}));
  EXPECT_EQ(q.offer(big, leases, PendingBound{4, 1000}), 0u);
  EXPECT_FALSE(q.has_room(*big, PendingBound{4, 1000}));
  leases.unuse(big);
  q.clear(leases);
}

TEST(OutputQueue, TheByteBoundCountsToo) {
  FrameLeases leases;
  OutputQueue q;
  const PendingBound bound{100, 2500};
  const std::string payload(1000, 'x');
  uint32_t dropped = 0;
  for (int i = 0; i < 3; ++i) {
    HeldFrame* held = leases.hold(make_shared_frame(Opcode::text, as_bytes(payload), 1));
    dropped += q.offer(held, leases, bound);
    leases.unuse(held);
  }
  EXPECT_EQ(dropped, 2u);
  EXPECT_EQ(q.frames_pending(), 1u);
  q.clear(leases);
}

// RFC 6455 5.5.3: a pong may answer only the latest ping; a flood of pings from a client that
// does not read holds one pong, not one per ping.
TEST(OutputQueue, OnlyTheLatestPongWaits) {
  SocketPair pair;
  FrameLeases leases;
  OutputQueue q;
  q.append_own("HEAD");
  for (int i = 0; i < 1000; ++i) {
    const std::string payload = "ping" + std::to_string(i);
    q.set_pong(as_bytes(payload));
  }
  EXPECT_EQ(q.own_pending(), 4 + 2 + std::string("ping999").size());
  ASSERT_FALSE(q.flush(pair.writer.get(), leases).error);
  std::string expected = "HEAD";
  append_frame(expected, Opcode::pong, as_bytes(std::string("ping999")));
  EXPECT_EQ(pair.drain(), expected);
}

TEST(OutputQueue, ResumesAPartialFrameAcrossFlushes) {
  SocketPair pair;
  int small = 4096;
  setsockopt(pair.writer.get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
  FrameLeases leases;
  OutputQueue q;
  const std::string payload(500'000, 'z');
  HeldFrame* big = leases.hold(make_shared_frame(Opcode::binary, as_bytes(payload), 1));
  q.offer(big, leases, PendingBound{});
  leases.unuse(big);
  std::string received;
  for (int i = 0; i < 10000 && !q.empty(); ++i) {
    ASSERT_FALSE(q.flush(pair.writer.get(), leases).error);
    received += pair.drain();
  }
  received += pair.drain();
  EXPECT_TRUE(q.empty());
  std::string expected;
  append_frame(expected, Opcode::binary, as_bytes(payload));
  EXPECT_EQ(received, expected);
  EXPECT_EQ(leases.held_count(), 0u);
}

TEST(OutputQueue, ReportsABrokenSocket) {
  SocketPair pair;
  pair.reader.reset();
  FrameLeases leases;
  OutputQueue q;
  q.append_own("x");
  EXPECT_TRUE(q.flush(pair.writer.get(), leases).error);
  q.clear(leases);
}

}  // namespace
}  // namespace levelcast
