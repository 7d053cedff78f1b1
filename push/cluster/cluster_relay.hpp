#pragma once
// ClusterRelay: one thread per node that brings the other nodes' topics to this node's workers.
// It subscribes to P:live and, to the workers, is one more producer: each snapshot's payloads
// go through a TopicPublisher per topic, framed once per form and queued to the workers as a
// local producer's are (encode once). It skips its own node's records. Topics are learned at run time (P:topics, P:meta:NAME)
// and added to the registry, up to --max-topics.
//
// One seq per topic across the cluster: the relay delivers each topic's snapshots in seq order
// without duplicates. It fills each topic's history from the stream when it learns the topic
// and after every reconnect (live messages wait in the socket meanwhile, then merge by seq),
// fills a gap (seq > last + 1) from the stream, and starts a topic afresh when its owner starts
// a new epoch (Redis lost the stream and the owner restarted). A topic whose owner is silent for
// --cluster-timeout is "stalled" (an event to its subscribers, /topics says so) until it speaks
// again ("resumed"). A subscription that stays silent for two heartbeats is reconnected.
//
// Threads: construct, start() and stop() from the server's thread; the rest is the relay's.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/metrics.hpp"
#include "push/broadcast_hub.hpp"
#include "push/cluster/cluster_config.hpp"
#include "push/cluster/cluster_wire.hpp"
#include "push/cluster/redis_connection.hpp"
#include "push/cluster/retry_backoff.hpp"
#include "push/topic.hpp"
#include "push/topic_publisher.hpp"

namespace levelcast {

class ClusterRelay {
 public:
  // `encoded` counts the frames the relay encodes (a producer's counters of its own).
  ClusterRelay(const ClusterConfig& config, TopicRegistry& topics, BroadcastHub& hub, ClusterCounters& counters,
               ProducerCounters& encoded, DeflateSettings deflate);
  ~ClusterRelay();
  ClusterRelay(const ClusterRelay&) = delete;
  ClusterRelay& operator=(const ClusterRelay&) = delete;

  void start(int cpu);
  void stop();

 private:
  struct Remote {
    Topic* topic = nullptr;  // null until its description is read
    std::unique_ptr<TopicPublisher> publisher;  // with the topic
    bool refused = false;    // over --max-topics: not served
    int64_t next_learn_ns = 0;
    uint64_t epoch = 0;
    uint64_t last = 0;  // the last seq delivered
    int64_t heard_ns = 0;
    bool stalled = false;
  };
  struct Payload {
    uint64_t seq;
    int64_t ts;
    std::string_view json;
    std::string_view binary;
  };

  void run(int cpu);
  bool connect();
  void disconnect(const char* why);
  void wait(int64_t until);
  void on_push(const redisReply* reply);
  void on_record(const ClusterRecord& record, std::string_view node);
  void on_heartbeat(Remote& r, const ClusterRecord& record);
  Remote* remote_for(std::string_view name);
  bool learn(std::string_view name, Remote& r);
  bool fill(std::string_view name, Remote& r, uint64_t through);
  void change_epoch(Remote& r, uint64_t epoch);
  void deliver(Remote& r, const Payload& p);
  void send_event(Remote& r, std::string_view name, std::string_view event_json);
  void send_named_event(Remote& r, std::string_view event);
  void hear(Remote& r, int64_t now);
  void check_stalls(int64_t now);
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  ClusterConfig config_;
  ClusterKeys keys_;
  TopicRegistry& topics_;
  size_t local_topics_;  // registry indices below this are this node's own
  BroadcastHub& hub_;
  ClusterCounters& counters_;
  ProducerCounters& encoded_;
  DeflateSettings deflate_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;

  // Relay-thread state.
  RedisConnection subscription_;
  RedisConnection commands_;
  std::map<std::string, Remote, std::less<>> remotes_;
  int64_t next_connect_ = 0;
  int64_t last_heard_ns_ = 0;  // anything on the subscription, pings included
  int64_t next_ping_ = 0;
  bool logged_down_ = false;
  bool ever_connected_ = false;
  RetryBackoff backoff_;
  std::vector<ClusterRecord> records_;
  std::vector<StreamEntry> entries_;
  std::string event_;
};

}  // namespace levelcast
