#include "push/producer.hpp"

#include <cmath>

#include "core/clock.hpp"
#include "core/cpu_affinity.hpp"
#include "core/log.hpp"
#include "net/ws_frame.hpp"
#include "push/snapshot_binary.hpp"
#include "push/snapshot_json.hpp"

namespace levelcast {
namespace {
constexpr int64_t kStopCheckNanos = 50'000'000;  // a stop request is seen within 50 ms

// Frames in window k, so that windows add up exactly to the sample rate over time.
size_t window_frames(uint64_t k, int sample_rate, double rate) {
  const auto edge = [&](uint64_t i) {
    return static_cast<uint64_t>(std::floor(static_cast<double>(i) * sample_rate / rate));
  };
  return static_cast<size_t>(edge(k + 1) - edge(k));
}
}  // namespace

Producer::Producer(Topic& topic, std::unique_ptr<AudioSource> source, TopicMeter meter,
                   BroadcastHub& hub, ProducerCounters& counters, DeflateSettings deflate)
    : topic_(topic),
      source_(std::move(source)),
      meter_(std::move(meter)),
      publisher_(topic, hub, counters, deflate),
      counters_(counters) {
  snapshot_.topic = topic_.name;
  snapshot_.rate = topic_.rate;
}

Producer::~Producer() { stop(); }

void Producer::start(int cpu) { thread_ = std::thread([this, cpu] { run(cpu); }); }

void Producer::stop() {
  stopping_.store(true, std::memory_order_release);
  source_->interrupt();
  if (thread_.joinable()) thread_.join();
}

void Producer::run(int cpu) {
  name_current_thread(("lc-prod-" + topic_.name).c_str());
  if (!pin_current_thread(cpu)) LC_LOG(warn, "producer {}: cannot pin to CPU {}", topic_.name, cpu);
  if (source_->paced_by_clock()) {
    run_paced();
  } else {
    run_audio_clocked();
  }
}

bool Producer::sleep_until(int64_t deadline) {
  while (!stopping()) {
    const int64_t now = mono_nanos();
    if (now >= deadline) return true;
    sleep_until_mono(std::min(deadline, now + kStopCheckNanos));
  }
  return false;
}

void Producer::run_paced() {
  const double period_ns = 1e9 / topic_.rate;
  int64_t start = mono_nanos();
  uint64_t since_start = 0;
  for (uint64_t k = 0;; ++k, ++since_start) {
    int64_t deadline = start + std::llround(static_cast<double>(since_start + 1) * period_ns);
    // After a long stall (a suspended process), restart the schedule instead of bursting.
    if (mono_nanos() - deadline > kNanosPerSecond) {
      LC_LOG(warn, "source {}: {} s behind its schedule; starting it afresh (ticks skipped)",
             topic_.name, (mono_nanos() - deadline) / kNanosPerSecond);
      bump(counters_.schedule_restarts);
      start = mono_nanos();
      since_start = 0;
      deadline = start + std::llround(period_ns);
    }
    if (!sleep_until(deadline)) return;
    const size_t frames = window_frames(k, source_->sample_rate(), topic_.rate);
    samples_.resize(frames * static_cast<size_t>(source_->channels()));
    const size_t got = source_->read(samples_);
    if (got == 0 && !stopping()) return publish_ended();
    samples_.resize(got * static_cast<size_t>(source_->channels()));
    produce(k);
    if (got < frames && !stopping()) return publish_ended();
  }
}

// The audio is the clock: a snapshot for every window read, however fast or slow it comes.
void Producer::run_audio_clocked() {
  for (uint64_t k = 0; !stopping(); ++k) {
    if (!read_window(window_frames(k, source_->sample_rate(), topic_.rate))) {
      if (!stopping()) publish_ended();
      return;
    }
    produce(k);
  }
}

bool Producer::read_window(size_t frames) {
  const auto channels = static_cast<size_t>(source_->channels());
  samples_.resize(frames * channels);
  size_t filled = 0;
  while (filled < frames) {
    const size_t got = source_->read(std::span<float>(samples_).subspan(filled * channels));
    if (got == 0) return false;
    filled += got;
  }
  return true;
}

void Producer::produce(uint64_t block_index) {
  take_reset_request();
  if (const size_t bad = replace_non_finite(samples_)) {
    if (read(counters_.bad_samples) == 0)
      LC_LOG(warn, "source {}: non-finite samples (NaN or infinity), measured as full scale", topic_.name);
    bump(counters_.bad_samples, bad);
  }
  meter_.measure(samples_, snapshot_);
  snapshot_.seq = topic_.seq_base + block_index + 1;
  snapshot_.ts_micros = wall_micros();
  bump(counters_.snapshots);
  publish_snapshot();
  topic_.last_seq.store(snapshot_.seq, std::memory_order_relaxed);
}

// Each format is encoded once; every worker gets a pointer to the same bytes.
void Producer::publish_snapshot() {
  json_.clear();
  append_snapshot_json(json_, snapshot_);
  binary_.clear();
  append_snapshot_binary(binary_, snapshot_);
  publisher_.publish_snapshot(snapshot_.seq, json_, as_bytes(binary_));
}

// A reset asked for since the last block applies from this block on; its event goes out
// before the block's snapshot. Several requests in one block are one reset.
void Producer::take_reset_request() {
  const uint64_t requested = topic_.loudness_resets_requested.load(std::memory_order_relaxed);
  if (requested == resets_taken_) return;
  resets_taken_ = requested;
  if (meter_.reset_loudness()) publish_event("loudness-reset");
}

void Producer::publish_ended() {
  LC_LOG(warn, "source {} ended after {} snapshots", topic_.name, snapshot_.seq);
  topic_.ended.store(true, std::memory_order_relaxed);
  publish_event("ended");
}

// Events are text frames in every WebSocket form and `event: NAME` on SSE streams, without a
// seq: not kept in the history.
void Producer::publish_event(std::string_view event) {
  json_.clear();
  append_event_json(json_, topic_.name, event);
  publisher_.publish_event(event, json_);
}

}  // namespace levelcast
