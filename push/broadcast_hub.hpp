#pragma once
// BroadcastHub: the producers' door to the workers. A Publisher (one per producer thread) holds
// a moodycamel ProducerToken per worker queue and hands each worker a pointer to the same frame,
// waking it through its eventfd only when no wake-up is pending. With a cluster, a local
// producer's Publisher also hands every frame to the ClusterOutbox; the relay's does not (its
// frames came from the cluster).
//
// Threads: the hub is built before the threads start; each Publisher is used by one thread.
#include <concurrentqueue/concurrentqueue.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "core/shared_frame.hpp"
#include "net/worker.hpp"
#include "push/cluster/cluster_outbox.hpp"

namespace levelcast {

class BroadcastHub {
 public:
  explicit BroadcastHub(std::vector<Worker*> workers, ClusterOutbox* outbox = nullptr)
      : workers_(std::move(workers)), outbox_(outbox) {}

  enum class Origin { local, relayed };

  class Publisher {
   public:
    explicit Publisher(BroadcastHub& hub, Origin origin = Origin::local);
    // References a published frame must carry: one per worker, one for the cluster outbox.
    uint32_t references_per_frame() const {
      return static_cast<uint32_t>(workers_.size()) + (outbox_ != nullptr ? 1 : 0);
    }
    // Hands `frame` (carrying references_per_frame() references) to every worker.
    void publish(SharedFrame* frame, uint32_t channel);

   private:
    std::vector<Worker*> workers_;
    std::vector<moodycamel::ProducerToken> tokens_;
    ClusterOutbox* outbox_;
    std::optional<moodycamel::ProducerToken> outbox_token_;
  };

 private:
  std::vector<Worker*> workers_;
  ClusterOutbox* outbox_;
};

}  // namespace levelcast
