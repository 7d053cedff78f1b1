#pragma once
// ClusterOutbox: the producers' door to the cluster publisher. Every frame a local producer
// publishes is also handed here (with one extra reference), through a lock-free multi-producer
// queue, so a producer never waits for Redis; the publisher thread takes them in bulk and is
// woken through an eventfd only when no wake-up is pending.
//
// Threads: offer() from producer threads (each with its own token); the rest from the publisher.
#include <concurrentqueue/concurrentqueue.h>

#include <cstdint>

#include "core/shared_frame.hpp"
#include "net/wakeup.hpp"

namespace levelcast {

struct ClusterItem {
  SharedFrame* frame = nullptr;  // carries one reference for the publisher
  uint32_t channel = 0;          // the topic's JSON or binary channel
  int64_t ts = 0;                // wall-clock micros of the hand-off
};

class ClusterOutbox {
 public:
  using Queue = moodycamel::ConcurrentQueue<ClusterItem>;

  ~ClusterOutbox() {
    ClusterItem item;
    while (queue_.try_dequeue(item)) item.frame->release();
  }
  Queue& queue() { return queue_; }
  void offer(moodycamel::ProducerToken& token, const ClusterItem& item) {
    if (!queue_.enqueue(token, item)) {
      item.frame->release();  // out of memory: the cluster misses this one, local clients do not
      return;
    }
    wakeup_.notify();
  }
  int wakeup_fd() const { return wakeup_.fd(); }
  void consume_wakeup() { wakeup_.consume(); }

 private:
  Queue queue_;
  Wakeup wakeup_;
};

}  // namespace levelcast
