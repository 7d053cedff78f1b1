// The producer's measuring cost per snapshot: one 20 ms block of 48 kHz stereo (a 1 kHz sine)
// through TopicMeter, as each loudness option asks. Run:
//   build/bench/levelcast-microbench --benchmark_filter=TopicMeter
// Arg: 0 RMS and peak only, 1 loudness=msi, 2 loudness=msilx, 3 loudness=msilx,truepeak=1.
#include <benchmark/benchmark.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "push/audio/topic_meter.hpp"

namespace levelcast {
namespace {

constexpr int kRate = 48000;
constexpr int kBlock = 960;

MeterOptions options_for(int64_t arg) {
  MeterOptions o;
  if (arg >= 1) o.loudness = {.momentary = true, .short_term = true, .integrated = true};
  if (arg >= 2) o.loudness.range = o.loudness.maxima = true;
  if (arg >= 3) o.true_peak = true;
  return o;
}

void BM_TopicMeter(benchmark::State& state) {
  TopicMeter meter(options_for(state.range(0)), 2, kRate, kBlock);
  std::vector<float> block(kBlock * 2);
  for (size_t i = 0; i < kBlock; ++i)
    block[2 * i] = block[2 * i + 1] = static_cast<float>(0.1 * std::sin(2 * std::numbers::pi * 1000.0 * static_cast<double>(i) / kRate));
  Snapshot snapshot;
  for (int i = 0; i < 200; ++i) meter.measure(block, snapshot);  // past the 3 s windows
  for (auto _ : state) {
    meter.measure(block, snapshot);
    benchmark::DoNotOptimize(snapshot.loudness.integrated);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_TopicMeter)->Arg(0)->Arg(1)->Arg(2)->Arg(3);

}  // namespace
}  // namespace levelcast
