#pragma once
// Producer: one thread per audio topic. It takes the next window (1/rate s) of audio from its
// source, measures it, builds a snapshot, and publishes it through its TopicPublisher (every
// form encoded once, handed to every worker). A source paced by the clock (synth, real-time WAV) is
// read on absolute deadlines, so there is no drift; a pipe or program is its own clock: a
// snapshot per window of audio read. When the source ends, subscribers get an "ended" event.
// A loudness reset asked for through the topic (an atomic count any worker may raise) is taken
// before the next block and announced with a "loudness-reset" event. Non-finite samples are
// counted and measured as full scale (clipping), never as silence.
//
// Threads: construct, start() and stop() from the server's thread; the rest is the producer's.
#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/metrics.hpp"
#include "push/audio/audio_source.hpp"
#include "push/audio/topic_meter.hpp"
#include "push/broadcast_hub.hpp"
#include "push/snapshot.hpp"
#include "push/topic.hpp"
#include "push/topic_publisher.hpp"

namespace levelcast {

class Producer {
 public:
  Producer(Topic& topic, std::unique_ptr<AudioSource> source, TopicMeter meter, BroadcastHub& hub,
           ProducerCounters& counters, DeflateSettings deflate = {});
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  void start(int cpu);
  void stop();

 private:
  void run(int cpu);
  void run_paced();
  void run_audio_clocked();
  bool sleep_until(int64_t deadline);  // false when stopped meanwhile
  bool read_window(size_t frames);     // audio-clocked: false when the source ended
  void produce(uint64_t block_index);
  void publish_snapshot();
  void publish_ended();
  void publish_event(std::string_view event);
  void take_reset_request();
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  Topic& topic_;
  std::unique_ptr<AudioSource> source_;
  TopicMeter meter_;
  TopicPublisher publisher_;
  ProducerCounters& counters_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;

  // Producer-thread scratch, reused for every snapshot: no allocation in steady state.
  std::vector<float> samples_;
  Snapshot snapshot_;
  std::string json_;
  std::string binary_;
  uint64_t resets_taken_ = 0;  // loudness resets requested through the topic and taken
};

}  // namespace levelcast
