#pragma once
// LinesProducer: the websocketd way, for broadcast. Runs a command (CommandStream: restarted
// with backoff, stderr to our log) and sends every line it prints, as one text message, to all
// subscribers of its topic: encoded once, numbered like snapshots (so ?since= resume works),
// kept in history. Each line goes out twice, encoded once each: as it is on the topic's first
// channel, and as {"seq":N,"line":"..."} on its second (?format=json), so that a reader can
// tell what it missed. A line longer than max_line bytes is sent in pieces cut at UTF-8
// character boundaries; a line that is not UTF-8 is dropped with a warning (a text frame must
// be UTF-8). When the command ends for good, subscribers get an "ended" event.
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
#include "push/topic_publisher.hpp"

namespace levelcast {

class LinesProducer {
 public:
  LinesProducer(Topic& topic, std::unique_ptr<CommandStream> stream, BroadcastHub& hub,
                ProducerCounters& counters, size_t max_line = LineSplitter::kMaxLine,
                DeflateSettings deflate = {});
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
  TopicPublisher publisher_;
  ProducerCounters& counters_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  LineSplitter lines_;
  std::string json_;  // scratch for the ?format=json frame
  uint64_t seq_ = 0;
};

}  // namespace levelcast
