#pragma once
// LinesProducer: the websocketd way, for broadcast. Runs a command (CommandStream: restarted
// with backoff, stderr to our log) and sends every line it prints, as one text message, to all
// subscribers of its topic: encoded once, numbered like snapshots (so ?since= resume works),
// kept in history. A line that is not UTF-8 is dropped with a warning (a text frame must be
// UTF-8). When the command ends for good, subscribers get an "ended" event.
//
// Threads: construct, start() and stop() from the server's thread; the rest is the producer's.
#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "core/metrics.hpp"
#include "push/process/command_stream.hpp"
#include "push/process/line_splitter.hpp"
#include "push/broadcast_hub.hpp"
#include "push/topic.hpp"

namespace levelcast {

class LinesProducer {
 public:
  LinesProducer(Topic& topic, std::unique_ptr<CommandStream> stream, BroadcastHub& hub,
                ProducerCounters& counters);
  ~LinesProducer();
  LinesProducer(const LinesProducer&) = delete;
  LinesProducer& operator=(const LinesProducer&) = delete;

  void start(int cpu);
  void stop();

 private:
  void run(int cpu);
  void publish_line(std::string_view line);
  void publish_ended();

  Topic& topic_;
  std::unique_ptr<CommandStream> stream_;
  BroadcastHub::Publisher publisher_;
  uint32_t references_per_frame_;
  ProducerCounters& counters_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  LineSplitter lines_;
  uint64_t seq_ = 0;
};

}  // namespace levelcast
