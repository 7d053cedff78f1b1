#pragma once
// ClusterPublisher: one thread that writes this node's snapshots to Redis. It takes what the
// local producers handed to the ClusterOutbox in bulk and, per drain, sends one transaction:
// MULTI, an XADD per snapshot to its topic's stream (entry id = seq, MAXLEN ~ --history), one
// PUBLISH of all of them as a single batch message, EXEC. Every second it renews the owner
// leases and publishes a heartbeat per topic (last seq, state). It keeps each topic's last
// --history snapshots, so that after Redis restarts (even with its data gone) it writes back
// those newer than the stream's top. While Redis is away it retries with jittered backoff
// (0.1 to 5 s) and the producers go on unaffected.
//
// Threads: construct, start() and stop() from the server's thread; the rest is the publisher's.
#include <atomic>
#include <cstdint>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.hpp"
#include "core/shared_frame.hpp"
#include "push/cluster/cluster_config.hpp"
#include "push/cluster/cluster_outbox.hpp"
#include "push/cluster/cluster_wire.hpp"
#include "push/cluster/redis_connection.hpp"
#include "push/cluster/retry_backoff.hpp"
#include "push/topic.hpp"

namespace levelcast {

// A local topic as the start-up claim left it.
struct OwnedTopicStart {
  const Topic* topic = nullptr;
  uint64_t epoch = 0;
  bool leased = false;  // false when Redis was away at start: claimed on connecting
};

class ClusterPublisher {
 public:
  ClusterPublisher(const ClusterConfig& config, std::vector<OwnedTopicStart> owned, ClusterOutbox& outbox,
                   ClusterCounters& counters);
  ~ClusterPublisher();
  ClusterPublisher(const ClusterPublisher&) = delete;
  ClusterPublisher& operator=(const ClusterPublisher&) = delete;

  void start(int cpu);
  void stop();

 private:
  struct Held {
    uint64_t seq = 0;
    int64_t ts = 0;
    FrameRef json;
    FrameRef binary;
  };
  struct Owned {
    const Topic* topic = nullptr;
    uint64_t epoch = 0;
    bool leased = false;
    std::string holder;  // another node holding the lease, once logged
    std::deque<Held> ring;  // the last --history snapshots, for writing back
    uint64_t last_seq = 0;
    bool ended = false;
    std::string stream_key;
    std::string owner_key;
  };
  struct Outgoing {
    uint32_t topic;
    RecordType type;
    Held held;
  };
  enum class Awaiting : uint8_t { ignore, transaction, lease };
  struct Expected {
    Awaiting what;
    uint32_t topic;
  };

  void run(int cpu);
  bool connect();
  bool announce(Owned& t, int64_t deadline);
  bool write_back(Owned& t, int64_t deadline);
  void wait(int64_t until);
  void drain();
  void take(const ClusterItem& item);
  void complete(size_t index, Held held);
  void add_event(size_t index, FrameRef frame, int64_t ts);
  void send_batch();
  void tick();
  void read_replies();
  void on_reply(const Expected& expected, const redisReply* reply);
  void append_xadd(const Owned& t, const Held& h);
  void disconnect(const char* why);
  void release_leases();
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  ClusterConfig config_;
  ClusterKeys keys_;
  std::vector<Owned> owned_;  // by registry index: local topics are registered first
  ClusterOutbox& outbox_;
  ClusterCounters& counters_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;

  // Publisher-thread state.
  RedisConnection redis_;
  std::deque<Expected> expected_;
  int64_t oldest_unanswered_ = 0;  // monotonic; 0 when nothing is awaited
  int64_t next_tick_ = 0;
  int64_t next_connect_ = 0;
  RetryBackoff backoff_;
  std::vector<ClusterItem> taken_;
  std::vector<Outgoing> outgoing_;  // this drain's records
  std::string batch_;
  std::vector<std::string> xadd_args_;
  bool logged_down_ = false;
};

// The payload of an encoded server frame (no mask): what travels through Redis.
std::string_view frame_payload(const SharedFrame* frame);

}  // namespace levelcast
