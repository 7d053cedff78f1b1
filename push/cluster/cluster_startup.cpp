#include "push/cluster/cluster_startup.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "push/cluster/cluster_lease.hpp"
#include "push/cluster/cluster_wire.hpp"
#include "push/cluster/redis_connection.hpp"

namespace levelcast {
namespace {

// The lease, then the stream's last entry. false with `error` on a refusal; a Redis failure
// leaves the topic unleased (`redis_error` says why).
bool claim(RedisConnection& redis, const ClusterConfig& config, Topic& topic, OwnedTopicStart& owned,
           std::string& error, std::string& redis_error) {
  const ClusterKeys keys{config.prefix};
  const int64_t deadline = mono_nanos() + config.timeout_ns;
  const std::string lease_ms = config.lease_ms();
  RedisReply lease =
      redis.call({"EVAL", kLeaseScript, "1", keys.owner(topic.name), config.node_id, lease_ms}, deadline, redis_error);
  if (lease == nullptr) return true;
  if (const std::string holder = lease_holder(lease.get()); !holder.empty()) {
    error = fmt::format("--source: topic '{}' is owned by node '{}' in the cluster at {}; stop that node "
                        "or rename the topic",
                        topic.name, holder, config.redis.describe());
    return false;
  }
  RedisReply top = redis.call({"XREVRANGE", keys.stream(topic.name), "+", "-", "COUNT", "1"}, deadline, redis_error);
  std::vector<StreamEntry> entries;
  if (top == nullptr || !read_stream_entries(top.get(), entries)) return true;
  owned.leased = true;
  if (!entries.empty()) {
    topic.seq_base = entries.front().seq;
    owned.epoch = entries.front().epoch;
    LC_LOG(info, "cluster: topic '{}' continues after seq {}", topic.name, topic.seq_base);
  }
  return true;
}

}  // namespace

bool claim_local_topics(const ClusterConfig& config, TopicRegistry& topics, std::vector<OwnedTopicStart>& owned,
                        std::string& error) {
  RedisConnection redis;
  std::string redis_error;
  const bool up = redis.connect(config.redis, mono_nanos() + config.timeout_ns, redis_error);
  const auto new_epoch = static_cast<uint64_t>(wall_micros());
  for (size_t i = 0; i < topics.size(); ++i) {
    OwnedTopicStart start{&topics.at(i), new_epoch, false};
    if (up && !claim(redis, config, topics.at(i), start, error, redis_error)) return false;
    owned.push_back(start);
  }
  if (!up || !redis_error.empty())
    LC_LOG(warn, "cluster: {}; serving local topics, retrying in the background", redis_error);
  return true;
}

std::string default_node_id(uint16_t port) {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return fmt::format("{}:{}", host[0] != '\0' ? host : "localhost", port);
}

}  // namespace levelcast
