// The broadcast path in isolation: the server's own fan-out loop writing one frame to N TCP
// loopback subscribers, the producer-to-worker queue, and the binary encoder. The client sides
// are drained outside the timed region. Allocations are counted through the replaced operator
// new and reported per delivery (the target is zero).
#include <benchmark/benchmark.h>

#include <sys/socket.h>
#include <sys/uio.h>

#include <thread>

#include "bench/allocation_counter.hpp"
#include "bench/loopback_pairs.hpp"
#include "net/broadcast_queue.hpp"
#include "net/fan_out.hpp"
#include "net/ws_frame.hpp"
#include "push/snapshot_binary.hpp"

#include "net/uring_fan_out.hpp"

namespace levelcast {
namespace {

const std::string kPayload(150, 'x');  // about the size of a 2-channel JSON snapshot

// Every write path runs through this: `round` writes a batch of k frames (state.range(1)) to
// every server side once and reports the frame deliveries that went out whole. k > 1 is a
// worker that is behind: its drain pass holds several frames of the channel.
template <typename Round>
void run_fan_out(benchmark::State& state, Round&& round) {
  const auto subscribers = static_cast<size_t>(state.range(0));
  const auto frames = static_cast<size_t>(state.range(1));
  bench::LoopbackPairs pairs(subscribers);
  FrameLeases leases;
  std::vector<Connection*> waiting, broken;
  waiting.reserve(subscribers);
  broken.reserve(subscribers);
  FrameBatch batch;
  for (size_t i = 0; i < frames; ++i) batch.add(leases.hold(make_shared_frame(Opcode::text, as_bytes(kPayload), 1)));
  FanOutContext ctx{leases, PendingBound{}, {waiting, broken}};
  uint64_t allocations = 0;
  uint64_t sent = 0;
  for (auto _ : state) {
    const uint64_t before = bench::allocations();
    sent += round(pairs.servers(), batch, ctx);
    allocations += bench::allocations() - before;
    state.PauseTiming();
    for (Connection* c : waiting) c->out.clear(leases);
    waiting.clear();
    pairs.drain_clients();
    state.ResumeTiming();
  }
  for (HeldFrame* held : batch.frames()) leases.unuse(held);
  const double deliveries = static_cast<double>(state.iterations() * subscribers * frames);
  state.SetItemsProcessed(static_cast<int64_t>(deliveries));
  state.counters["allocs_per_delivery"] = static_cast<double>(allocations) / deliveries;
  state.counters["sent_whole"] = static_cast<double>(sent) / deliveries;
}

void fan_out_args(benchmark::internal::Benchmark* b) {
  b->Args({100, 1})->Args({1000, 1})->Args({1000, 3})->Args({1000, 8});
  b->ArgNames({"subs", "frames"})->Unit(benchmark::kMicrosecond)->UseRealTime();
}

// The floor: a bare loop of send(), one per frame and subscriber, no bookkeeping at all.
void BM_FanOutFloor(benchmark::State& state) {
  run_fan_out(state, [](const std::vector<Connection*>& subs, const FrameBatch& batch, FanOutContext&) {
    uint64_t whole = 0;
    for (Connection* c : subs) {
      for (HeldFrame* held : batch.frames()) {
        whole += ::send(c->fd, held->frame->data(), held->frame->size(), MSG_NOSIGNAL) ==
                 static_cast<ssize_t>(held->frame->size());
      }
    }
    return whole;
  });
}
BENCHMARK(BM_FanOutFloor)->Apply(fan_out_args);

// The batched floor: one bare writev() of the k frames per subscriber. With k = 1 it is what a
// gathering write costs where every subscriber gets one small frame.
void BM_FanOutWritevFloor(benchmark::State& state) {
  run_fan_out(state, [](const std::vector<Connection*>& subs, const FrameBatch& batch, FanOutContext&) {
    uint64_t whole = 0;
    for (Connection* c : subs) {
      if (::writev(c->fd, batch.iov(), static_cast<int>(batch.size())) == static_cast<ssize_t>(batch.bytes())) {
        whole += batch.size();
      }
    }
    return whole;
  });
}
BENCHMARK(BM_FanOutWritevFloor)->Apply(fan_out_args);

// The worker's send() path (--send-mode send).
void BM_FanOutSend(benchmark::State& state) {
  run_fan_out(state, [](const std::vector<Connection*>& subs, const FrameBatch& batch, FanOutContext& ctx) {
    return fan_out_frames(subs, batch, ctx).sent;
  });
}
BENCHMARK(BM_FanOutSend)->Apply(fan_out_args);

// The worker's io_uring path (the default), one submission per round.
void BM_FanOutUring(benchmark::State& state) {
  std::string why;
  auto uring = UringFanOut::create(why);
  if (!uring) {
    state.SkipWithError(why.c_str());
    return;
  }
  run_fan_out(state, [&uring](const std::vector<Connection*>& subs, const FrameBatch& batch,
                              FanOutContext& ctx) { return uring->fan_out(subs, batch, ctx).sent; });
}
BENCHMARK(BM_FanOutUring)->Apply(fan_out_args);

// A producer publishing frame pointers while a worker thread drains them in bulk: the time
// until the worker has taken every item, per item.
void BM_QueuePublishDrain(benchmark::State& state) {
  constexpr size_t kItems = 100'000;
  SharedFrame* frame = make_shared_frame(Opcode::text, as_bytes(kPayload), 1);
  for (auto _ : state) {
    BroadcastQueue queue;
    std::thread worker([&queue] {
      BroadcastItem batch[64];
      for (size_t taken = 0; taken < kItems;) taken += queue.try_dequeue_bulk(batch, 64);
    });
    moodycamel::ProducerToken token(queue);
    for (size_t i = 0; i < kItems; ++i) queue.enqueue(token, BroadcastItem{frame, 0});
    worker.join();
  }
  frame->release();
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kItems));
}
BENCHMARK(BM_QueuePublishDrain)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_SnapshotBinary(benchmark::State& state) {
  Snapshot s;
  s.seq = 123456;
  s.ts_micros = 1763712000123456;
  s.rate = 50;
  s.channels.assign(static_cast<size_t>(state.range(0)), ChannelLevel{-23.14, -17.86});
  std::string out;
  for (auto _ : state) {
    out.clear();
    append_snapshot_binary(out, s);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_SnapshotBinary)->Arg(2)->Arg(8);

}  // namespace
}  // namespace levelcast
