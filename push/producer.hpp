#pragma once
// Producer: one thread per source. Every 1/rate seconds (absolute deadlines, so no drift) it reads
// the next block of audio, measures it, builds a snapshot, encodes the WebSocket frame once and
// publishes that one frame to every worker.
//
// Threads: construct, start() and stop() from the server's thread; the rest is the producer's.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.hpp"
#include "push/audio/audio_source.hpp"
#include "push/audio/level_meter.hpp"
#include "push/broadcast_hub.hpp"
#include "push/snapshot.hpp"

namespace levelcast {

struct ProducerConfig {
  std::string topic;
  double rate = 50;      // snapshots per second
  uint32_t channel = 0;  // broadcast channel of the JSON frames
};

class Producer {
 public:
  Producer(ProducerConfig config, std::unique_ptr<AudioSource> source, BroadcastHub& hub,
           ProducerCounters& counters);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  void start(int cpu);
  void stop();

 private:
  void run(int cpu);
  bool sleep_until(int64_t deadline);  // false when stopped meanwhile
  void produce(uint64_t block_index);

  ProducerConfig config_;
  std::unique_ptr<AudioSource> source_;
  LevelMeter meter_;
  BroadcastHub::Publisher publisher_;
  uint32_t references_per_frame_;
  ProducerCounters& counters_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;

  // Producer-thread scratch, reused for every snapshot.
  std::vector<float> samples_;
  Snapshot snapshot_;
  std::string payload_;
};

}  // namespace levelcast
