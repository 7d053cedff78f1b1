#pragma once
// BroadcastHub: the producers' door to the workers. A Publisher (one per producer thread) holds
// a moodycamel ProducerToken per worker queue and hands each worker a pointer to the same frame,
// waking it through its eventfd only when no wake-up is pending. With --cluster, the hub also
// names the ClusterOutbox that local topics' publishers feed (TopicPublisher).
//
// Threads: the hub is built before the threads start; each Publisher is used by one thread.
#include <concurrentqueue/concurrentqueue.h>

#include <cstdint>
#include <vector>

#include "core/shared_frame.hpp"
#include "net/worker.hpp"
#include "push/cluster/cluster_outbox.hpp"

namespace levelcast {

class BroadcastHub {
 public:
  explicit BroadcastHub(std::vector<Worker*> workers, ClusterOutbox* outbox = nullptr)
      : workers_(std::move(workers)), outbox_(outbox) {}
  // References a published frame must carry: one per worker.
  uint32_t references_per_frame() const { return static_cast<uint32_t>(workers_.size()); }
  // Where local topics' snapshots also go, for the cluster publisher; null without --cluster.
  ClusterOutbox* outbox() const { return outbox_; }

  class Publisher {
   public:
    explicit Publisher(BroadcastHub& hub);
    // Hands `frame` (carrying references_per_frame() references) to every worker.
    void publish(SharedFrame* frame, uint32_t channel);

   private:
    std::vector<Worker*> workers_;
    std::vector<moodycamel::ProducerToken> tokens_;
  };

 private:
  std::vector<Worker*> workers_;
  ClusterOutbox* outbox_;
};

}  // namespace levelcast
