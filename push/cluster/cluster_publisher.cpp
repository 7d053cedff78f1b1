#include "push/cluster/cluster_publisher.hpp"

#include <poll.h>

#include <algorithm>
#include <utility>

#include "core/clock.hpp"
#include "core/cpu_affinity.hpp"
#include "core/log.hpp"
#include "push/cluster/cluster_lease.hpp"

namespace levelcast {
namespace {
constexpr int64_t kTickNs = 1'000'000'000;     // heartbeats and lease renewal
constexpr size_t kTakeBatch = 256;
}  // namespace

std::string_view frame_payload(const SharedFrame* frame) {
  const uint8_t length7 = frame->data()[1] & 0x7f;
  const size_t header = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0);
  return {reinterpret_cast<const char*>(frame->data()) + header, frame->size() - header};
}

ClusterPublisher::ClusterPublisher(const ClusterConfig& config, std::vector<OwnedTopicStart> owned,
                                   ClusterOutbox& outbox, ClusterCounters& counters)
    : config_(config),
      keys_{config.prefix},
      outbox_(outbox),
      counters_(counters),
      backoff_(static_cast<uint32_t>(mono_nanos())) {
  for (const OwnedTopicStart& start : owned) {
    Owned t;
    t.topic = start.topic;
    t.epoch = start.epoch;
    t.leased = start.leased;
    t.last_seq = start.topic->seq_base;
    t.stream_key = keys_.stream(start.topic->name);
    t.owner_key = keys_.owner(start.topic->name);
    owned_.push_back(std::move(t));
  }
  taken_.resize(kTakeBatch);
}

ClusterPublisher::~ClusterPublisher() { stop(); }

void ClusterPublisher::start(int cpu) { thread_ = std::thread([this, cpu] { run(cpu); }); }

void ClusterPublisher::stop() {
  stopping_.store(true, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
}

void ClusterPublisher::run(int cpu) {
  name_current_thread("lc-cluster-pub");
  if (!pin_current_thread(cpu)) LC_LOG(warn, "cluster publisher: cannot pin to CPU {}", cpu);
  while (!stopping()) {
    const int64_t now = mono_nanos();
    if (!redis_.connected() && now >= next_connect_ && connect()) next_tick_ = now;
    if (redis_.connected() && now >= next_tick_) {
      tick();
      next_tick_ = now + kTickNs;
    }
    if (redis_.connected() && oldest_unanswered_ != 0 && now - oldest_unanswered_ > config_.timeout_ns)
      disconnect("Redis stopped answering");
    wait(redis_.connected() ? next_tick_ : next_connect_);
    drain();
    if (redis_.connected()) read_replies();
  }
  release_leases();
}

// A node that stops hands its topics over at once instead of after --cluster-timeout.
void ClusterPublisher::release_leases() {
  if (!redis_.connected()) return;
  while (!expected_.empty() && redis_.connected()) {
    std::string error;
    if (redis_.wait_reply(mono_nanos() + config_.timeout_ns, error) == nullptr) return;
    expected_.pop_front();
  }
  if (redis_.awaited() != 0) return;
  for (const Owned& t : owned_) {
    std::string error;
    if (t.leased) redis_.call({"EVAL", kReleaseScript, "1", t.owner_key, config_.node_id}, mono_nanos() + kTickNs, error);
  }
}

// Connects, then claims every lease and writes back what Redis lacks. On failure, the next try
// comes after a RetryBackoff.
bool ClusterPublisher::connect() {
  std::string error;
  const int64_t deadline = mono_nanos() + config_.timeout_ns;
  bool ok = redis_.connect(config_.redis, deadline, error);
  for (Owned& t : owned_) {
    if (!ok) break;
    ok = announce(t, deadline) && (!t.leased || write_back(t, deadline));
  }
  if (ok) {
    if (logged_down_) LC_LOG(info, "cluster publisher: connected to {}", config_.redis.describe());
    logged_down_ = false;
    backoff_.reset();
    return true;
  }
  if (!logged_down_) LC_LOG(warn, "cluster publisher: {}; retrying", error.empty() ? "Redis is away" : error);
  logged_down_ = true;
  redis_.close();
  next_connect_ = mono_nanos() + backoff_.next();
  return false;
}

// The lease, the topic's name in P:topics and its description in P:meta:NAME.
bool ClusterPublisher::announce(Owned& t, int64_t deadline) {
  std::string error;
  const std::string lease_ms = config_.lease_ms();
  RedisReply reply = redis_.call({"EVAL", kLeaseScript, "1", t.owner_key, config_.node_id, lease_ms}, deadline, error);
  if (reply == nullptr) return false;
  const std::string holder = lease_holder(reply.get());
  t.leased = holder.empty();
  if (!t.leased && holder != t.holder)
    LC_LOG(error, "cluster: topic '{}' is owned by node '{}': not publishing it", t.topic->name, holder);
  t.holder = holder;
  if (!t.leased) return true;
  TopicMeta meta{config_.node_id, t.topic->kind, t.topic->rate, t.topic->channels, t.topic->fields,
                 t.topic->bands_hz, t.topic->has_binary};
  std::vector<std::string> args = {"HSET", keys_.meta(t.topic->name)};
  for (std::string& field : meta_fields(meta)) args.push_back(std::move(field));
  std::vector<std::string_view> views(args.begin(), args.end());
  redis_.append(views);
  redis_.append({"SADD", keys_.topics(), t.topic->name});
  if (!redis_.flush()) return false;
  for (int i = 0; i < 2; ++i)
    if (redis_.wait_reply(deadline, error) == nullptr) return false;
  return true;
}

// Redis may have lost entries (a restart without persistence): the held ones newer than the
// stream's top go back, so that edges can fill their gaps from it.
bool ClusterPublisher::write_back(Owned& t, int64_t deadline) {
  std::string error;
  RedisReply top = redis_.call({"XREVRANGE", t.stream_key, "+", "-", "COUNT", "1"}, deadline, error);
  std::vector<StreamEntry> entries;
  if (top == nullptr || !read_stream_entries(top.get(), entries)) return false;
  const uint64_t top_seq = entries.empty() ? 0 : entries.front().seq;
  size_t sent = 0;
  for (const Held& h : t.ring) {
    if (h.seq <= top_seq) continue;
    append_xadd(t, h);
    ++sent;
  }
  if (sent > 0) LC_LOG(info, "cluster: topic '{}': writing back {} snapshots after {}", t.topic->name, sent, top_seq);
  if (!redis_.flush()) return false;
  for (size_t i = 0; i < sent; ++i) {
    RedisReply reply = redis_.wait_reply(deadline, error);
    if (reply == nullptr) return false;
    if (reply_is_error(reply.get())) LC_LOG(warn, "cluster: write-back: {}", reply_text(reply.get()));
  }
  return true;
}

void ClusterPublisher::wait(int64_t until) {
  pollfd fds[2] = {{outbox_.wakeup_fd(), POLLIN, 0}, {redis_.fd(), POLLIN, 0}};
  if (redis_.wants_write()) fds[1].events |= POLLOUT;
  const int64_t left = std::clamp<int64_t>(until - mono_nanos(), 0, 100'000'000);  // a stop within 0.1 s
  ::poll(fds, redis_.connected() ? 2 : 1, static_cast<int>((left + 999'999) / 1'000'000));
  if (fds[0].revents & POLLIN) outbox_.consume_wakeup();
  if (redis_.connected() && (fds[1].revents & POLLOUT)) redis_.flush();
  if (redis_.connected() && (fds[1].revents & (POLLIN | POLLERR | POLLHUP)) && !redis_.receive())
    disconnect("the connection to Redis broke");
}

// Everything queued now becomes one transaction.
void ClusterPublisher::drain() {
  outgoing_.clear();
  size_t n;
  while ((n = outbox_.queue().try_dequeue_bulk(taken_.begin(), kTakeBatch)) > 0) {
    for (size_t i = 0; i < n; ++i) take(taken_[i]);
  }
  if (redis_.connected() && !outgoing_.empty()) send_batch();
  outgoing_.clear();
}

void ClusterPublisher::take(const ClusterItem& item) {
  FrameRef json(item.json);
  FrameRef binary(item.binary);
  if (item.topic >= owned_.size()) return;
  if (json->seq() == 0) return add_event(item.topic, std::move(json), item.ts);
  const uint64_t seq = json->seq();
  complete(item.topic, Held{seq, item.ts, std::move(json), std::move(binary)});
}

void ClusterPublisher::complete(size_t index, Held held) {
  Owned& t = owned_[index];
  t.last_seq = held.seq;
  if (redis_.connected() && t.leased) outgoing_.push_back({static_cast<uint32_t>(index), RecordType::snapshot, held});
  t.ring.push_back(std::move(held));
  if (t.ring.size() > config_.history) t.ring.pop_front();
}

void ClusterPublisher::add_event(size_t index, FrameRef frame, int64_t ts) {
  Owned& t = owned_[index];
  if (event_name(frame_payload(frame.get())) == "ended") t.ended = true;
  if (redis_.connected() && t.leased)
    outgoing_.push_back({static_cast<uint32_t>(index), RecordType::event, Held{0, ts, std::move(frame), FrameRef()}});
}

void ClusterPublisher::append_xadd(const Owned& t, const Held& h) {
  xadd_args_ = {"XADD", t.stream_key, "MAXLEN", "~", std::to_string(config_.history), std::to_string(h.seq) + "-0",
                "t", std::to_string(h.ts), "e", std::to_string(t.epoch)};
  std::vector<std::string_view> args(xadd_args_.begin(), xadd_args_.end());
  args.insert(args.end(), {"j", frame_payload(h.json.get())});
  if (h.binary) args.insert(args.end(), {"b", frame_payload(h.binary.get())});
  redis_.append(args);
}

// MULTI, the XADDs, one PUBLISH of every record, EXEC: written in one go.
void ClusterPublisher::send_batch() {
  begin_batch(batch_, config_.node_id);
  redis_.append({"MULTI"});
  expected_.push_back({Awaiting::ignore, 0});
  for (const Outgoing& out : outgoing_) {
    const Owned& t = owned_[out.topic];
    const Held& h = out.held;
    if (out.type == RecordType::snapshot) {
      append_xadd(t, h);
      expected_.push_back({Awaiting::ignore, 0});  // QUEUED
      bump(counters_.published);
    }
    append_record(batch_, {out.type, t.topic->name, t.epoch, h.seq, h.ts, frame_payload(h.json.get()),
                           h.binary ? frame_payload(h.binary.get()) : std::string_view{}});
  }
  redis_.append({"PUBLISH", keys_.live(), batch_});
  expected_.push_back({Awaiting::ignore, 0});  // QUEUED
  redis_.append({"EXEC"});
  expected_.push_back({Awaiting::transaction, 0});
  if (oldest_unanswered_ == 0) oldest_unanswered_ = mono_nanos();
  if (!redis_.flush()) disconnect("the connection to Redis broke");
}

// Once a second: a heartbeat per topic in one message, and every lease renewed.
void ClusterPublisher::tick() {
  std::string heartbeats;
  begin_batch(heartbeats, config_.node_id);
  const std::string lease_ms = config_.lease_ms();
  for (size_t i = 0; i < owned_.size(); ++i) {
    Owned& t = owned_[i];
    redis_.append({"EVAL", kLeaseScript, "1", t.owner_key, config_.node_id, lease_ms});
    expected_.push_back({Awaiting::lease, static_cast<uint32_t>(i)});
    if (!t.leased) continue;
    append_record(heartbeats, {RecordType::heartbeat, t.topic->name, t.epoch, t.last_seq, wall_micros(),
                               t.ended ? "ended" : "running", {}});
  }
  redis_.append({"PUBLISH", keys_.live(), heartbeats});
  expected_.push_back({Awaiting::ignore, 0});
  if (oldest_unanswered_ == 0) oldest_unanswered_ = mono_nanos();
  if (!redis_.flush()) disconnect("the connection to Redis broke");
}

void ClusterPublisher::read_replies() {
  while (RedisReply reply = redis_.next_reply()) {
    if (expected_.empty()) continue;
    on_reply(expected_.front(), reply.get());
    expected_.pop_front();
    oldest_unanswered_ = expected_.empty() ? 0 : mono_nanos();
  }
  if (!redis_.connected()) disconnect("the connection to Redis broke");
}

void ClusterPublisher::on_reply(const Expected& expected, const redisReply* reply) {
  if (expected.what == Awaiting::lease) {
    Owned& t = owned_[expected.topic];
    const std::string holder = lease_holder(reply);
    if (!holder.empty() && holder != t.holder)
      LC_LOG(error, "cluster: topic '{}': the lease is held by '{}': not publishing it", t.topic->name, holder);
    if (holder.empty() && !t.leased) LC_LOG(info, "cluster: topic '{}': lease taken", t.topic->name);
    t.holder = holder;
    t.leased = holder.empty();
    return;
  }
  if (reply_is_error(reply)) {
    LC_LOG(warn, "cluster publisher: Redis says: {}", reply_text(reply));
  } else if (expected.what == Awaiting::transaction && reply->type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i < reply->elements; ++i) {
      if (reply_is_error(reply->element[i]))
        LC_LOG(warn, "cluster publisher: Redis says: {}", reply_text(reply->element[i]));
    }
  }
}

void ClusterPublisher::disconnect(const char* why) {
  if (redis_.connected() || !expected_.empty()) LC_LOG(warn, "cluster publisher: {}; reconnecting", why);
  redis_.close();
  expected_.clear();
  oldest_unanswered_ = 0;
  logged_down_ = true;
  backoff_.reset();
  next_connect_ = mono_nanos();
}

}  // namespace levelcast
