// The broadcast path in isolation: the server's own fan-out loop writing one frame to N TCP
// loopback subscribers, the producer-to-worker queue, and the binary encoder. The client sides
// are drained outside the timed region. Allocations are counted through the replaced operator
// new and reported per delivery (the target is zero).
#include <benchmark/benchmark.h>

#include <thread>

#include "bench/allocation_counter.hpp"
#include "bench/loopback_pairs.hpp"
#include "net/broadcast_queue.hpp"
#include "net/fan_out.hpp"
#include "net/ws_frame.hpp"
#include "push/snapshot_binary.hpp"

namespace levelcast {
namespace {

const std::string kPayload(150, 'x');  // about the size of a 2-channel JSON snapshot

void BM_FanOutSend(benchmark::State& state) {
  const auto subscribers = static_cast<size_t>(state.range(0));
  bench::LoopbackPairs pairs(subscribers);
  FrameLeases leases;
  std::vector<Connection*> waiting, broken;
  waiting.reserve(subscribers);
  broken.reserve(subscribers);
  HeldFrame* held = leases.hold(make_shared_frame(Opcode::text, as_bytes(kPayload), 1));
  uint64_t allocations = 0;
  uint64_t sent = 0;
  for (auto _ : state) {
    const uint64_t before = bench::allocations();
    const FanOutResult r = fan_out_frame(pairs.servers(), held, leases, waiting, broken);
    allocations += bench::allocations() - before;
    sent += r.sent;
    state.PauseTiming();
    for (Connection* c : waiting) c->out.clear(leases);
    waiting.clear();
    pairs.drain_clients();
    state.ResumeTiming();
  }
  leases.unuse(held);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * subscribers));
  state.counters["allocs_per_delivery"] =
      static_cast<double>(allocations) / static_cast<double>(state.iterations() * subscribers);
  state.counters["sent_whole"] =
      static_cast<double>(sent) / static_cast<double>(state.iterations() * subscribers);
}
BENCHMARK(BM_FanOutSend)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond)->UseRealTime();

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
