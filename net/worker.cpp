#include "net/worker.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "core/check.hpp"
#include "core/clock.hpp"
#include "core/cpu_affinity.hpp"
#include "core/log.hpp"
#include "net/fan_out.hpp"

namespace levelcast {
namespace {
constexpr int kMaxEvents = 256;
constexpr size_t kDequeueBatch = 64;
constexpr size_t kPendingReserve = 1024;
// RFC 6455 leaves 4000-4999 to applications: ours for "your token has expired, get a new one".
constexpr auto kTokenExpiredCode = static_cast<CloseCode>(4001);

// Timers are checked by a sweep over the worker's connections; sweep often enough that a
// timeout fires within a quarter of its length, but never more than 100 times a second.
int64_t sweep_interval(const WorkerConfig& config) {
  const ConnectionLimits& l = config.limits;
  int64_t shortest = std::min({l.handshake_timeout_ns, l.close_timeout_ns, l.ping_interval_ns,
                               l.idle_timeout_ns});
  if (l.slow_close_ns > 0) shortest = std::min(shortest, l.slow_close_ns);
  if (config.tokens_expire) shortest = std::min<int64_t>(shortest, kNanosPerSecond);
  return std::clamp<int64_t>(shortest / 4, 10'000'000, 1'000'000'000);
}
}  // namespace

Worker::Worker(const WorkerConfig& config, RequestRouter& router, ServerMetrics& metrics)
    : config_(config),
      router_(router),
      metrics_(metrics),
      counters_(metrics.worker(config.index)),
      subscribers_(config.channel_count),
      latest_(config.channel_count, nullptr),
      last_in_pass_(config.channel_count, 0),
      read_buffer_(std::make_unique<uint8_t[]>(kReadBufferBytes)) {
  LC_CHECK(epoll_.add(wakeup_.fd(), EPOLLIN, kWakeupToken));
  for (size_t i = 0; i < config.channel_count; ++i) history_.emplace_back(std::max<size_t>(1, config.history));
  // Room for a long stall's worth of frames, so that draining them does not allocate.
  pending_.reserve(kPendingReserve);
}

Worker::~Worker() {
  LC_CHECK(!thread_.joinable());
  release_all_frames();
  AcceptedSocket socket;
  while (accepted_.try_dequeue(socket)) ::close(socket.fd);
}

void Worker::start(int cpu) { thread_ = std::thread([this, cpu] { run(cpu); }); }

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::post_connection(AcceptedSocket socket) {
  accepted_.enqueue(socket);
  wakeup_.notify();
}

void Worker::request_stop() {
  stop_requested_.store(true, std::memory_order_release);
  wakeup_.notify();
}

void Worker::run(int cpu) {
  owner_.claim();
  name_current_thread(("lc-worker-" + std::to_string(config_.index)).c_str());
  if (!pin_current_thread(cpu)) LC_LOG(warn, "worker {}: cannot pin to CPU {}", config_.index, cpu);
  if (config_.io_uring) {
    // Created here: the ring is single-issuer, bound to the thread that submits to it.
    std::string why;
    uring_ = UringFanOut::create(why);
    if (!uring_) LC_LOG(info, "worker {}: {}; writing with send()", config_.index, why);
  }
  const int64_t sweep = sweep_interval(config_);
  epoll_event events[kMaxEvents];
  now_ = mono_nanos();
  next_housekeeping_ = now_ + sweep;
  while (shutdown_deadline_ == 0 || (live_connections_ > 0 && now_ < shutdown_deadline_)) {
    const int64_t wait_ns = std::max<int64_t>(0, next_housekeeping_ - now_);
    const int n = epoll_.wait(events, kMaxEvents, static_cast<int>((wait_ns + 999'999) / 1'000'000));
    now_ = mono_nanos();
    for (int i = 0; i < n; ++i) handle_event(events[i]);
    if (now_ >= next_housekeeping_) {
      housekeeping();
      next_housekeeping_ = now_ + sweep;
    }
    free_dead();
  }
  for (auto& slot : slots_) {
    if (!slot->dead && slot->fd >= 0) close_connection(*slot);
  }
  free_dead();
  release_all_frames();
}

void Worker::handle_event(const epoll_event& event) {
  if (event.data.u64 == kWakeupToken) {
    handle_wakeup();
    return;
  }
  Connection* c = lookup(event.data.u64);
  if (c == nullptr) return;
  if (event.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(*c);
  if (!c->dead && (event.events & EPOLLOUT)) flush(*c);
}

void Worker::handle_wakeup() {
  wakeup_.consume();
  if (stop_requested_.load(std::memory_order_acquire) && shutdown_deadline_ == 0) begin_shutdown();
  adopt_connections();
  drain_broadcasts();
}

// A connection handed to us that we cannot take: closed at once, never seen by the loop.
void Worker::refuse(const AcceptedSocket& socket, const char* why) {
  LC_LOG(warn, "worker {}: refusing a connection: {}", config_.index, why);
  ::close(socket.fd);
  metrics_.peer_connections().remove(socket.peer_bucket);
  metrics_.open_connections().fetch_sub(1, std::memory_order_relaxed);
}

Connection* Worker::lookup(uint64_t token) {
  const auto slot = static_cast<uint32_t>(token);
  if (slot >= slots_.size()) return nullptr;
  Connection* c = slots_[slot].get();
  if (c->dead || c->generation != static_cast<uint32_t>(token >> 32)) return nullptr;
  return c;
}

void Worker::adopt_connections() {
  AcceptedSocket batch[kDequeueBatch];
  size_t n;
  while ((n = accepted_.try_dequeue_bulk(batch, kDequeueBatch)) > 0) {
    for (size_t i = 0; i < n; ++i) {
      if (shutdown_deadline_ != 0) {
        refuse(batch[i], "shutting down");
        continue;
      }
      uint32_t slot;
      if (free_slots_.empty()) {
        slot = static_cast<uint32_t>(slots_.size());
        slots_.push_back(std::make_unique<Connection>());
      } else {
        slot = free_slots_.back();
        free_slots_.pop_back();
      }
      Connection& c = *slots_[slot];
      c.fd = batch[i].fd;
      c.slot = slot;
      c.dead = false;
      c.admission = batch[i].admission;
      c.peer_bucket = batch[i].peer_bucket;
      c.phase_since = c.last_receive = now_;
      c.events = EPOLLIN;
      if (!epoll_.add(c.fd, EPOLLIN, token_of(c))) {  // the kernel is out of epoll watches
        refuse(batch[i], std::strerror(errno));
        recycle(c);
        continue;
      }
      ++live_connections_;
      bump(counters_.connections);
    }
  }
}

// One pass over the frames queued now, then back to the other connections. Every frame is kept
// (as its channel's latest, in its history) and normally written, bursts included; but a frame
// queued for longer than --max-lag with a newer one of its channel behind it is skipped: a worker
// that has fallen behind catches up (latest value wins, as for one slow client) instead of
// falling further behind.
void Worker::drain_broadcasts() {
  pending_.clear();
  const size_t queued = std::max<size_t>(broadcasts_.size_approx(), 1);
  BroadcastItem batch[kDequeueBatch];
  size_t n;
  while (pending_.size() < queued && (n = broadcasts_.try_dequeue_bulk(batch, kDequeueBatch)) > 0) {
    pending_.insert(pending_.end(), batch, batch + n);
  }
  for (size_t i = 0; i < pending_.size(); ++i) {
    LC_CHECK(pending_[i].channel < last_in_pass_.size());
    last_in_pass_[pending_[i].channel] = i;
  }
  for (size_t i = 0; i < pending_.size(); ++i) {
    const BroadcastItem& item = pending_[i];
    const bool newest = last_in_pass_[item.channel] == i;
    receive_broadcast(item, newest || !waited_too_long(item));
  }
}

// Judged as each frame's turn comes, so a long pass ages the frames still ahead in it.
bool Worker::waited_too_long(const BroadcastItem& item) const {
  return config_.max_lag_ns > 0 && mono_nanos() - item.published_ns > config_.max_lag_ns;
}

// Each frame arrives with one reference for this worker. It stays held as the channel's latest
// (for new subscribers) and in its history (for resuming ones); connections still writing it
// count as plain users.
void Worker::receive_broadcast(const BroadcastItem& item, bool write) {
  LC_CHECK(item.channel < latest_.size());
  HeldFrame* held = leases_.hold(item.frame);
  HeldFrame*& latest = latest_[item.channel];
  if (latest != nullptr) leases_.unuse(latest);
  latest = held;
  FrameLeases::use(held);
  if (held->frame->seq() != 0) history_[item.channel].push(held, leases_);
  if (!write) {
    bump(counters_.frames_skipped);
  } else if (shutdown_deadline_ == 0) {
    fan_out(item.channel, held);
  }
  leases_.unuse(held);
}

void Worker::fan_out(uint32_t channel, HeldFrame* held) {
  const FanOutResult r =
      uring_ ? uring_->fan_out(subscribers_[channel], held, leases_, waiting_, broken_)
             : fan_out_frame(subscribers_[channel], held, leases_, waiting_, broken_);
  bump(counters_.messages_sent, r.sent);
  bump(counters_.bytes_sent, r.bytes);
  bump(counters_.messages_dropped, r.dropped);
  for (Connection* c : waiting_) {
    c->stalled_since = now_;
    update_interest(*c);
  }
  waiting_.clear();
  for (Connection* c : broken_) close_connection(*c);
  broken_.clear();
}

void Worker::subscribe(Connection& c, const RouteDecision& decision) {
  const uint32_t channel = decision.channel;
  LC_CHECK(channel < subscribers_.size());
  auto& list = subscribers_[channel];
  c.role = Role::subscriber;
  c.channel = channel;
  c.subscriber_index = static_cast<uint32_t>(list.size());
  list.push_back(&c);
  Counter& gauge = metrics_.subscribers(config_.index, channel);
  bump(gauge);
  const FrameHistory& history = history_[channel];
  // A since beyond the newest snapshot comes from before a server restart: start afresh.
  if (decision.resume && !history.empty() && decision.since <= history.newest_seq()) {
    replay_history(c, decision.since);
  } else if (latest_[channel] != nullptr) {
    c.out.offer(latest_[channel], leases_);
  }
}

// Copies the held snapshots after `since` into the connection's own output, once, so that they
// go out in order ahead of live frames; announces the ones no longer held.
void Worker::replay_history(Connection& c, uint64_t since) {
  const FrameHistory& history = history_[c.channel];
  if (since + 1 < history.oldest_seq()) {
    const std::string missed = router_.missed_message(c.channel, history.oldest_seq() - since - 1);
    append_frame(c.out.own_bytes(), Opcode::text, as_bytes(missed));
  }
  for (size_t i = 0; i < history.size(); ++i) {
    const SharedFrame* frame = history.at(i)->frame;
    if (frame->seq() <= since) continue;
    c.out.append_own({reinterpret_cast<const char*>(frame->data()), frame->size()});
  }
  // An event after the last snapshot (the topic ended) belongs at the end of the replay.
  HeldFrame* latest = latest_[c.channel];
  if (latest != nullptr && latest->frame->seq() == 0) c.out.offer(latest, leases_);
}

void Worker::unsubscribe(Connection& c) {
  if (c.role != Role::subscriber) return;
  auto& list = subscribers_[c.channel];
  Connection* moved = list.back();
  list[c.subscriber_index] = moved;
  moved->subscriber_index = c.subscriber_index;
  list.pop_back();
  Counter& gauge = metrics_.subscribers(config_.index, c.channel);
  gauge.store(read(gauge) - 1, std::memory_order_relaxed);
  c.role = Role::none;
  c.out.drop_waiting(leases_);
}

void Worker::housekeeping() {
  wall_seconds_ = wall_micros() / 1'000'000;
  for (auto& slot : slots_) {
    if (!slot->dead && slot->fd >= 0) check_timers(*slot);
  }
}

void Worker::check_timers(Connection& c) {
  const ConnectionLimits& l = config_.limits;
  const int64_t in_phase = now_ - c.phase_since;
  switch (c.phase) {
    case Phase::http:
      if (in_phase > l.handshake_timeout_ns) close_connection(c);
      break;
    case Phase::closing:
    case Phase::lingering:
      if (in_phase > l.close_timeout_ns) close_connection(c);
      break;
    case Phase::websocket:
      if (c.token_expiry != 0 && wall_seconds_ >= c.token_expiry) {
        start_close(c, kTokenExpiredCode, "token expired");
      } else if (l.slow_close_ns > 0 && c.stalled_since != 0 &&
                 now_ - c.stalled_since > l.slow_close_ns) {
        start_close(c, CloseCode::policy_violation, "too slow: not reading");
      } else if (now_ - c.last_receive > l.idle_timeout_ns) {
        start_close(c, CloseCode::going_away, "idle timeout");
      } else if (now_ - std::max(c.last_ping, c.phase_since) >= l.ping_interval_ns) {
        append_frame(c.out.own_bytes(), Opcode::ping, {});
        c.last_ping = now_;
        flush(c);
      }
      break;
  }
}

void Worker::begin_shutdown() {
  shutdown_deadline_ = now_ + config_.shutdown_grace_ns;
  for (auto& slot : slots_) {
    Connection& c = *slot;
    if (c.dead || c.fd < 0) continue;
    if (c.phase == Phase::websocket) {
      start_close(c, CloseCode::going_away, "server shutting down");
    } else if (c.phase == Phase::http) {
      close_connection(c);
    }
  }
}

void Worker::close_connection(Connection& c) {
  if (c.dead) return;
  unsubscribe(c);
  // No EPOLL_CTL_DEL: closing the only descriptor of the socket removes it from the set. An
  // io_uring send still in flight may keep the socket open a moment longer; its events then
  // carry this slot's old generation and are ignored.
  ::close(c.fd);
  c.fd = -1;
  c.dead = true;
  dead_.push_back(&c);
  --live_connections_;
  counters_.connections.store(read(counters_.connections) - 1, std::memory_order_relaxed);
  bump(counters_.connections_closed);
  metrics_.peer_connections().remove(c.peer_bucket);
  metrics_.open_connections().fetch_sub(1, std::memory_order_relaxed);
}

// Freed only here, at the end of an iteration, so events later in the same batch never see a
// reused slot.
void Worker::free_dead() {
  for (Connection* c : dead_) recycle(*c);
  dead_.clear();
}

// Back to the free list, with a new generation so stale epoll tokens no longer match.
void Worker::recycle(Connection& c) {
  c.out.clear(leases_);
  const uint32_t next_generation = c.generation + 1;
  const uint32_t slot = c.slot;
  c = Connection{};
  c.generation = next_generation;
  c.slot = slot;
  c.dead = true;  // stays dead until adopted again
  free_slots_.push_back(slot);
}

void Worker::release_all_frames() {
  for (FrameHistory& history : history_) history.clear(leases_);
  for (HeldFrame*& latest : latest_) {
    if (latest != nullptr) leases_.unuse(latest);
    latest = nullptr;
  }
  BroadcastItem item;
  while (broadcasts_.try_dequeue(item)) item.frame->release();
}

}  // namespace levelcast
