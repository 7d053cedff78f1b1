#include "push/cluster/cluster_relay.hpp"

#include <poll.h>

#include <algorithm>

#include "core/clock.hpp"
#include "core/cpu_affinity.hpp"
#include "core/log.hpp"
#include "net/ws_frame.hpp"
#include "push/snapshot_json.hpp"

namespace levelcast {
namespace {
constexpr int64_t kPingNs = 1'000'000'000;
constexpr int64_t kSilentNs = 2 * kPingNs;  // two heartbeats without a word: reconnect
constexpr int64_t kRelearnNs = 1'000'000'000;
}  // namespace

ClusterRelay::ClusterRelay(const ClusterConfig& config, TopicRegistry& topics, BroadcastHub& hub,
                           ClusterCounters& counters, ProducerCounters& encoded, DeflateSettings deflate)
    : config_(config),
      keys_{config.prefix},
      topics_(topics),
      local_topics_(topics.size()),
      hub_(hub),
      counters_(counters),
      encoded_(encoded),
      deflate_(deflate),
      backoff_(static_cast<uint32_t>(mono_nanos() ^ 0x5bd1e995)) {}

ClusterRelay::~ClusterRelay() { stop(); }

void ClusterRelay::start(int cpu) { thread_ = std::thread([this, cpu] { run(cpu); }); }

void ClusterRelay::stop() {
  stopping_.store(true, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
}

void ClusterRelay::run(int cpu) {
  name_current_thread("lc-cluster-relay");
  if (!pin_current_thread(cpu)) LC_LOG(warn, "cluster relay: cannot pin to CPU {}", cpu);
  while (!stopping()) {
    int64_t now = mono_nanos();
    // Either connection alone is no use: the commands fill gaps the subscription shows.
    if (subscription_.connected() && !commands_.connected()) disconnect("the command connection broke");
    if (!subscription_.connected() && now >= next_connect_) connect();
    now = mono_nanos();
    if (subscription_.connected() && now >= next_ping_) {
      if (now - last_heard_ns_ > kSilentNs) {
        disconnect("the subscription went silent");
        continue;
      }
      subscription_.append({"PING"});
      if (!subscription_.flush()) disconnect("the subscription broke");
      next_ping_ = now + kPingNs;
    }
    check_stalls(now);
    wait(subscription_.connected() ? next_ping_ : next_connect_);
  }
  counters_.connected.store(0, std::memory_order_relaxed);
}

bool ClusterRelay::connect() {
  std::string error;
  const int64_t deadline = mono_nanos() + config_.timeout_ns;
  bool ok = subscription_.connect(config_.redis, deadline, error) && commands_.connect(config_.redis, deadline, error);
  if (ok) {
    subscription_.append({"SUBSCRIBE", keys_.live()});
    ok = subscription_.flush() && subscription_.wait_reply(deadline, error) != nullptr;
  }
  // Every topic known to the cluster, described and filled from its stream.
  RedisReply members = ok ? commands_.call({"SMEMBERS", keys_.topics()}, deadline, error) : nullptr;
  for (const std::string_view name : read_string_array(members.get())) {
    if (Remote* r = remote_for(name); r != nullptr && r->topic != nullptr) ok = ok && fill(name, *r, 0);
  }
  ok = ok && members != nullptr && commands_.connected() && subscription_.connected();
  if (!ok) {
    if (!logged_down_) LC_LOG(warn, "cluster relay: {}; retrying", error.empty() ? "Redis is away" : error);
    logged_down_ = true;
    subscription_.close();
    commands_.close();
    next_connect_ = mono_nanos() + backoff_.next();
    return false;
  }
  LC_LOG(info, "cluster relay: subscribed at {} ({} remote topics)", config_.redis.describe(), remotes_.size());
  if (ever_connected_) bump(counters_.reconnects);
  ever_connected_ = true;
  logged_down_ = false;
  backoff_.reset();
  last_heard_ns_ = mono_nanos();
  next_ping_ = last_heard_ns_ + kPingNs;
  counters_.connected.store(1, std::memory_order_relaxed);
  return true;
}

void ClusterRelay::disconnect(const char* why) {
  LC_LOG(warn, "cluster relay: {}; reconnecting", why);
  subscription_.close();
  commands_.close();
  counters_.connected.store(0, std::memory_order_relaxed);
  next_connect_ = mono_nanos();
}

void ClusterRelay::wait(int64_t until) {
  // The command connection is watched too: between calls nothing arrives on it, so readable
  // means Redis closed it (CLIENT KILL, timeout, restart).
  pollfd p[2] = {{subscription_.fd(), POLLIN, 0}, {commands_.fd(), POLLIN, 0}};
  const int64_t left = std::clamp<int64_t>(until - mono_nanos(), 0, 100'000'000);  // a stop within 0.1 s
  const int n = ::poll(p, subscription_.connected() ? 2 : 0, static_cast<int>((left + 999'999) / 1'000'000));
  if (n <= 0 || !subscription_.connected()) return;
  if (p[1].revents != 0) return disconnect("the command connection broke");
  if (p[0].revents == 0) return;
  if (!subscription_.receive()) return disconnect("the subscription broke");
  while (RedisReply reply = subscription_.next_reply()) {
    last_heard_ns_ = mono_nanos();
    on_push(reply.get());
    if (!subscription_.connected()) return;
  }
  if (!subscription_.connected()) disconnect("the subscription broke");
}

void ClusterRelay::on_push(const redisReply* reply) {
  const auto message = read_message_payload(reply);
  if (!message) return;  // subscribe confirmations, pongs
  std::string_view node;
  if (!decode_batch(*message, node, records_)) {
    LC_LOG(warn, "cluster relay: dropped a malformed message ({} bytes)", message->size());
    return;
  }
  if (node == config_.node_id) return;  // our own topics reach our workers directly
  for (const ClusterRecord& record : records_) on_record(record, node);
}

void ClusterRelay::on_record(const ClusterRecord& record, std::string_view node) {
  Remote* r = remote_for(record.topic);
  if (r == nullptr || r->topic == nullptr) return;
  if (const std::string* owner = r->topic->node.load(std::memory_order_relaxed); owner == nullptr || *owner != node) {
    if (const std::string* moved = topics_.intern_node(node)) r->topic->node.store(moved, std::memory_order_release);
  }
  hear(*r, mono_nanos());
  if (record.type == RecordType::heartbeat) return on_heartbeat(*r, record);
  if (record.type == RecordType::event) {
    const std::string_view name = event_name(record.json);
    if (name == "ended") r->topic->ended.store(true, std::memory_order_relaxed);
    return send_event(*r, name, record.json);
  }
  if (record.epoch != r->epoch) change_epoch(*r, record.epoch);
  if (record.seq <= r->last) return;  // already delivered (from the stream)
  if (record.seq > r->last + 1 && !fill(record.topic, *r, record.seq - 1)) return;
  deliver(*r, {record.seq, record.ts, record.json, record.binary});
}

// A heartbeat names the owner's last seq: a lost last message shows as a gap.
void ClusterRelay::on_heartbeat(Remote& r, const ClusterRecord& record) {
  if (record.epoch != r.epoch) change_epoch(r, record.epoch);
  if (record.seq > r.last) fill(record.topic, r, record.seq);
  if (record.json == "ended" && !r.topic->ended.load(std::memory_order_relaxed)) {
    r.topic->ended.store(true, std::memory_order_relaxed);
    send_named_event(r, "ended");
  }
}

ClusterRelay::Remote* ClusterRelay::remote_for(std::string_view name) {
  if (const Topic* known = topics_.find(name); known != nullptr && known->first_channel / kFormsPerTopic < local_topics_)
    return nullptr;  // one of ours
  auto it = remotes_.find(name);
  if (it == remotes_.end()) it = remotes_.emplace(std::string(name), Remote{}).first;
  Remote& r = it->second;
  if (r.topic == nullptr && !r.refused && mono_nanos() >= r.next_learn_ns && !learn(name, r))
    r.next_learn_ns = mono_nanos() + kRelearnNs;
  return &r;
}

// Reads the topic's description and adds it to the registry.
bool ClusterRelay::learn(std::string_view name, Remote& r) {
  std::string error;
  RedisReply reply = commands_.call({"HGETALL", keys_.meta(name)}, mono_nanos() + config_.timeout_ns, error);
  const auto meta = read_topic_meta(reply.get());
  if (!meta || meta->node == config_.node_id) return false;
  r.topic = topics_.add_described(std::string(name), meta->kind, [&](Topic& t) {
    t.node.store(topics_.intern_node(meta->node), std::memory_order_relaxed);  // published by the add
    t.rate = meta->rate;
    t.channels = meta->channels;
    t.fields = meta->fields;
    t.bands_hz = meta->bands_hz;
    t.has_binary = meta->has_binary;
  });
  if (r.topic == nullptr) {
    r.refused = true;
    LC_LOG(error, "cluster: topic '{}' of node '{}' is not served here: --max-topics ({}) reached", name,
           meta->node, topics_.capacity());
    return false;
  }
  r.publisher = std::make_unique<TopicPublisher>(*r.topic, hub_, encoded_, deflate_, TopicPublisher::Origin::relayed);
  LC_LOG(info, "cluster: topic '{}' of node '{}' learned", name, meta->node);
  r.heard_ns = mono_nanos();
  return true;
}

// Delivers the stream's entries after r.last up to `through` (0: all), at most --history of
// them. When the stream no longer holds the next one, the topic starts afresh from what it has.
bool ClusterRelay::fill(std::string_view name, Remote& r, uint64_t through) {
  std::string error;
  const std::string newest = through == 0 ? "+" : std::to_string(through);
  const std::string oldest = std::to_string(r.last + 1);
  const std::string count = std::to_string(config_.history);
  RedisReply reply = commands_.call({"XREVRANGE", keys_.stream(name), newest, oldest, "COUNT", count},
                                    mono_nanos() + config_.timeout_ns, error);
  if (reply == nullptr || !read_stream_entries(reply.get(), entries_)) {
    if (reply == nullptr) LC_LOG(warn, "cluster relay: filling '{}': {}", name, error);
    return false;
  }
  std::reverse(entries_.begin(), entries_.end());
  const bool gap = r.last != 0;
  for (const StreamEntry& e : entries_) {
    if (e.epoch != r.epoch) change_epoch(r, e.epoch);
    if (e.seq <= r.last) continue;
    deliver(r, {e.seq, e.ts, e.json, e.binary});
    if (gap) bump(counters_.gaps_filled);
  }
  return true;
}

// The owner started over (a new epoch): seq restarts, so what this node holds is forgotten.
void ClusterRelay::change_epoch(Remote& r, uint64_t epoch) {
  if (r.epoch != 0) LC_LOG(info, "cluster: topic '{}' restarts (new epoch)", r.topic->name);
  r.epoch = epoch;
  r.last = 0;
}

void ClusterRelay::deliver(Remote& r, const Payload& p) {
  Topic& t = *r.topic;
  r.publisher->publish_snapshot(p.seq, p.json, as_bytes(p.binary));
  r.last = p.seq;
  t.last_seq.store(p.seq, std::memory_order_relaxed);
  t.ended.store(false, std::memory_order_relaxed);
  bump(counters_.relayed);
  const int64_t latency = wall_micros() - p.ts;
  if (latency >= 0) {
    bump(counters_.relay_latency_micros, static_cast<uint64_t>(latency));
    bump(counters_.relay_latency_count);
  }
}

void ClusterRelay::send_event(Remote& r, std::string_view name, std::string_view event_json) {
  r.publisher->publish_event(name, event_json);
}

void ClusterRelay::send_named_event(Remote& r, std::string_view event) {
  event_.clear();
  append_event_json(event_, r.topic->name, event);
  send_event(r, event, event_);
}

void ClusterRelay::hear(Remote& r, int64_t now) {
  r.heard_ns = now;
  if (!r.stalled) return;
  r.stalled = false;
  r.topic->stalled.store(false, std::memory_order_relaxed);
  LC_LOG(info, "cluster: topic '{}' resumed", r.topic->name);
  send_named_event(r, "resumed");
}

void ClusterRelay::check_stalls(int64_t now) {
  for (auto& [name, r] : remotes_) {
    if (r.topic == nullptr || r.stalled || r.topic->ended.load(std::memory_order_relaxed)) continue;
    if (now - r.heard_ns <= config_.timeout_ns) continue;
    r.stalled = true;
    r.topic->stalled.store(true, std::memory_order_relaxed);
    LC_LOG(warn, "cluster: topic '{}' stalled: nothing from its owner for {} s", name,
           static_cast<double>(config_.timeout_ns) / 1e9);
    send_named_event(r, "stalled");
  }
}

}  // namespace levelcast
