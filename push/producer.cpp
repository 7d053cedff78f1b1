#include "push/producer.hpp"

#include <cmath>

#include "core/clock.hpp"
#include "core/cpu_affinity.hpp"
#include "core/log.hpp"
#include "net/ws_frame.hpp"
#include "push/snapshot_json.hpp"

namespace levelcast {
namespace {
constexpr int64_t kStopCheckNanos = 50'000'000;  // a stop request is seen within 50 ms

// Frames in block k, so that blocks add up exactly to the sample rate over time.
size_t block_frames(uint64_t k, int sample_rate, double rate) {
  const auto edge = [&](uint64_t i) {
    return static_cast<uint64_t>(std::floor(static_cast<double>(i) * sample_rate / rate));
  };
  return static_cast<size_t>(edge(k + 1) - edge(k));
}
}  // namespace

Producer::Producer(ProducerConfig config, std::unique_ptr<AudioSource> source, BroadcastHub& hub,
                   ProducerCounters& counters)
    : config_(std::move(config)),
      source_(std::move(source)),
      meter_(source_->channels()),
      publisher_(hub),
      references_per_frame_(hub.references_per_frame()),
      counters_(counters) {
  snapshot_.topic = config_.topic;
  snapshot_.rate = config_.rate;
}

Producer::~Producer() { stop(); }

void Producer::start(int cpu) { thread_ = std::thread([this, cpu] { run(cpu); }); }

void Producer::stop() {
  stopping_.store(true, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
}

bool Producer::sleep_until(int64_t deadline) {
  while (!stopping_.load(std::memory_order_acquire)) {
    const int64_t now = mono_nanos();
    if (now >= deadline) return true;
    sleep_until_mono(std::min(deadline, now + kStopCheckNanos));
  }
  return false;
}

void Producer::run(int cpu) {
  name_current_thread(("lc-prod-" + config_.topic).c_str());
  if (!pin_current_thread(cpu)) LC_LOG(warn, "producer {}: cannot pin to CPU {}", config_.topic, cpu);
  const double period_ns = 1e9 / config_.rate;
  int64_t start = mono_nanos();
  uint64_t since_start = 0;
  for (uint64_t k = 0;; ++k, ++since_start) {
    int64_t deadline = start + static_cast<int64_t>(std::llround(static_cast<double>(since_start + 1) * period_ns));
    // After a long stall (a suspended process), restart the schedule instead of bursting.
    if (mono_nanos() - deadline > kNanosPerSecond) {
      start = mono_nanos();
      since_start = 0;
      deadline = start + static_cast<int64_t>(std::llround(period_ns));
    }
    if (!sleep_until(deadline)) return;
    produce(k);
  }
}

void Producer::produce(uint64_t block_index) {
  const size_t frames = block_frames(block_index, source_->sample_rate(), config_.rate);
  samples_.resize(frames * static_cast<size_t>(source_->channels()));
  const size_t got = source_->read(samples_);
  samples_.resize(got * static_cast<size_t>(source_->channels()));
  meter_.measure(samples_, snapshot_.channels);
  snapshot_.seq = block_index + 1;
  snapshot_.ts_micros = wall_micros();
  payload_.clear();
  append_snapshot_json(payload_, snapshot_);
  bump(counters_.snapshots);
  SharedFrame* frame = make_shared_frame(Opcode::text, as_bytes(payload_), references_per_frame_);
  bump(counters_.frames_encoded);
  publisher_.publish(frame, config_.channel);
}

}  // namespace levelcast
