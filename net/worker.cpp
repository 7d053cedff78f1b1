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
#include "net/sse.hpp"

namespace levelcast {
namespace {
constexpr int kMaxEvents = 256;
constexpr size_t kDequeueBatch = 64;
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
      channels_(config.broadcast, leases_, counters_, router),
      read_buffer_(std::make_unique<uint8_t[]>(kReadBufferBytes)) {
  LC_CHECK(epoll_.add(wakeup_.fd(), EPOLLIN, kWakeupToken));
  if (config_.tls != nullptr) {
    plain_buffer_ = std::make_unique<uint8_t[]>(kPlainBufferBytes);
    tls_buffers_.scratch.reserve(64 * 1024);
    channels_.use_tls(&tls_buffers_);
  }
}

Worker::~Worker() {
  LC_CHECK(!thread_.joinable());
  channels_.release_all(broadcasts_);
  AcceptedSocket socket;
  while (accepted_.try_dequeue(socket)) ::close(socket.fd);
  if (tls_ctx_ != nullptr) SSL_CTX_free(tls_ctx_);
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
    channels_.use_uring(UringFanOut::create(why));
    if (!channels_.uses_uring()) LC_LOG(info, "worker {}: {}; writing with send()", config_.index, why);
  }
  const int64_t sweep = sweep_interval(config_);
  epoll_event events[kMaxEvents];
  now_ = mono_nanos();
  next_housekeeping_ = now_ + sweep;
  while (shutdown_deadline_ == 0 || (live_connections_ > 0 && now_ < shutdown_deadline_)) {
    const int64_t wait_ns = std::max<int64_t>(0, next_housekeeping_ - now_);
    const int n = epoll_.wait(events, kMaxEvents, static_cast<int>((wait_ns + 999'999) / 1'000'000));
    now_ = mono_nanos();
    handshakes_left_ = kHandshakesPerTurn;
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
  channels_.release_all(broadcasts_);
}

void Worker::handle_event(const epoll_event& event) {
  owner_.assert_owner();
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
      if (batch[i].tls && !start_tls(c)) {
        refuse(batch[i], "cannot start a TLS session");
        recycle(c);
        continue;
      }
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

// One pass over the frames queued now, then back to the other connections.
void Worker::drain_broadcasts() {
  channels_.drain(broadcasts_, shutdown_deadline_ == 0, {waiting_, broken_});
  settle_fan_out();
}

// Subscribers whose output went pending in the round need EPOLLOUT; broken ones are closed.
void Worker::settle_fan_out() {
  for (Connection* c : waiting_) {
    c->stalled_since = now_;
    update_interest(*c);
  }
  waiting_.clear();
  for (Connection* c : broken_) close_connection(*c);
  broken_.clear();
}

void Worker::subscribe(Connection& c, uint32_t channel, const RouteDecision& decision) {
  if (config_.limits.subscriber_sndbuf > 0) {
    // Bounds the kernel memory a subscriber that stops reading can pin (the frames behind it
    // wait as references in its output queue).
    setsockopt(c.fd, SOL_SOCKET, SO_SNDBUF, &config_.limits.subscriber_sndbuf, sizeof(int));
  }
  channels_.subscribe(c, channel, decision.resume, decision.since);
  bump(metrics_.subscribers(config_.index, channel));
}

void Worker::unsubscribe(Connection& c) {
  if (c.role != Role::subscriber) return;
  Counter& gauge = metrics_.subscribers(config_.index, c.channel);
  gauge.store(read(gauge) - 1, std::memory_order_relaxed);
  channels_.unsubscribe(c);
}

void Worker::housekeeping() {
  owner_.assert_owner();
  wall_seconds_ = wall_micros() / 1'000'000;
  size_t owed = 0;  // own output of every live connection, summed in the same pass
  for (auto& slot : slots_) {
    if (!slot->dead && slot->fd >= 0) check_timers(*slot);
    if (!slot->dead) owed += slot->out.own_pending();
  }
  enforce_output_budget(owed);
}

// Redis's client output limits, for the worker as a whole: when the own output (responses,
// echoes, pongs) of all connections passes the budget, the largest holders are closed (1008)
// until it fits. Shared frames are references and do not count.
void Worker::enforce_output_budget(size_t total) {
  const size_t budget = config_.limits.output_budget;
  if (budget == 0) return;
  while (total > budget) {
    Connection* largest = nullptr;
    for (auto& slot : slots_) {
      if (!slot->dead && (largest == nullptr || slot->out.own_pending() > largest->out.own_pending())) {
        largest = slot.get();
      }
    }
    if (largest == nullptr || largest->out.own_pending() == 0) return;
    LC_LOG(warn, "worker {}: output budget exceeded: closing a connection holding {} bytes",
           config_.index, largest->out.own_pending());
    total -= largest->out.own_pending();
    // A close frame can follow only if nothing is half written; otherwise the TCP close says it.
    if (largest->out.discard_if_unstarted(leases_) && largest->phase == Phase::websocket) {
      start_close(*largest, CloseCode::policy_violation, "output limit exceeded");
    } else {
      close_connection(*largest);
    }
  }
}

void Worker::check_timers(Connection& c) {
  const ConnectionLimits& l = config_.limits;
  const int64_t in_phase = now_ - c.phase_since;
  switch (c.phase) {
    case Phase::http:  // a TLS handshake waiting for this worker is not late
      if (in_phase > l.handshake_timeout_ns && !handshake_waits_for_us(c)) close_connection(c);
      break;
    case Phase::closing:
    case Phase::lingering:
      if (in_phase > l.close_timeout_ns) close_connection(c);
      break;
    case Phase::stream:  // a stream's client never speaks: no idle timeout, a comment as ping
      if (c.token_expiry != 0 && wall_seconds_ >= c.token_expiry) {
        close_connection(c);  // no close code on a stream: the client reconnects with a new token
      } else if (l.slow_close_ns > 0 && c.stalled_since != 0 && now_ - c.stalled_since > l.slow_close_ns) {
        close_connection(c);
      } else if (now_ - std::max(c.last_ping, c.phase_since) >= l.ping_interval_ns) {
        c.out.append_own(kSseKeepAlive);
        c.last_ping = now_;
        flush(c);
      }
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
    } else if (c.phase == Phase::stream) {  // the stream ends with what was written
      unsubscribe(c);
      c.close_after_flush = true;
      flush(c);
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
  delete c.tls;
  const uint32_t next_generation = c.generation + 1;
  const uint32_t slot = c.slot;
  c = Connection{};
  c.generation = next_generation;
  c.slot = slot;
  c.dead = true;  // stays dead until adopted again
  free_slots_.push_back(slot);
}

}  // namespace levelcast
