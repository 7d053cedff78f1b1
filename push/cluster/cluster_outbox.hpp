#pragma once
// ClusterOutbox: the producers' door to the cluster publisher. Every snapshot a local topic's
// TopicPublisher encodes is also handed here (its JSON and binary frames, one extra reference
// each: payloads travel, the frames are not copied), through a lock-free multi-producer queue,
// so a producer never waits for Redis; the publisher thread takes them in bulk and is woken
// through an eventfd only when no wake-up is pending.
//
// Threads: offer() from producer threads (each with its own token); the rest from the publisher.
#include <concurrentqueue/concurrentqueue.h>

#include <cstdint>

#include "core/shared_frame.hpp"
#include "net/wakeup.hpp"

namespace levelcast {

struct ClusterItem {
  SharedFrame* json = nullptr;    // the JSON text frame (seq 0: an event); one reference
  SharedFrame* binary = nullptr;  // the binary (or lines' JSON object) frame or null; one reference
  uint32_t topic = 0;             // the topic's index in the registry
  int64_t ts = 0;                 // wall-clock micros of the hand-off
};

class ClusterOutbox {
 public:
  using Queue = moodycamel::ConcurrentQueue<ClusterItem>;

  ~ClusterOutbox() {
    ClusterItem item;
    while (queue_.try_dequeue(item)) release(item);
  }
  Queue& queue() { return queue_; }
  void offer(moodycamel::ProducerToken& token, const ClusterItem& item) {
    if (!queue_.enqueue(token, item)) {
      release(item);  // out of memory: the cluster misses this one, local clients do not
      return;
    }
    wakeup_.notify();
  }
  static void release(const ClusterItem& item) {
    item.json->release();
    if (item.binary != nullptr) item.binary->release();
  }
  int wakeup_fd() const { return wakeup_.fd(); }
  void consume_wakeup() { wakeup_.consume(); }

 private:
  Queue queue_;
  Wakeup wakeup_;
};

}  // namespace levelcast
