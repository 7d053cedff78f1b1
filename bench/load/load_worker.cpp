// The worker's loop, and opening and closing connections. Reading and writing messages is in
// load_worker_io.cpp.
#include "load_worker.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <system_error>

#include "client_socket.hpp"
#include "process_usage.hpp"
#include "upgrade_handshake.hpp"

namespace levelcast::load {
namespace {

constexpr std::size_t kReadBufferSize = 256 * 1024;
constexpr std::size_t kWriteBufferSize = 64 * 1024;
// Without --connect-rate, at most this many handshakes per worker are under way at once, so
// thousands of SYNs do not overflow the server's listen backlog.
constexpr std::size_t kMaxHandshakesInProgress = 512;
// A TLS handshake costs the server ~250 us of CPU, ten times a plain one, and it advances only a
// few per loop turn between broadcasts: 512 waiting could queue longer than its 5 s
// --handshake-timeout while it broadcasts to thousands, which then closes the waiting ones.
constexpr std::size_t kMaxTlsHandshakesInProgress = 64;
constexpr std::int64_t kHandshakeTimeoutUs = 10'000'000;
constexpr std::int64_t kCloseGraceUs = 5'000'000;
constexpr std::int64_t kTimeoutScanIntervalUs = 100'000;
constexpr std::int64_t kMaxWaitUs = 50'000;

}  // namespace

LoadWorker::LoadWorker(const LoadPlan& plan, RunSchedule& schedule, unsigned index)
    : plan_(plan),
      options_(plan.options),
      schedule_(schedule),
      index_(index),
      random_(std::random_device{}() ^ (std::uint64_t{index} << 32)) {
  const unsigned threads = options_.threads;
  const std::size_t count =
      options_.connections / threads + (index < options_.connections % threads ? 1 : 0);
  connections_.resize(count);
  idle_slots_.reserve(count);
  for (std::size_t slot = count; slot-- > 0;)
    idle_slots_.push_back(static_cast<std::uint32_t>(slot));
  read_buffer_.resize(kReadBufferSize);
  const std::size_t echo_frame = client_frame_size(options_.size);
  write_buffer_.resize(std::max(kWriteBufferSize, echo_frame));
  start_rate_ = options_.connect_rate / threads;
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

LoadWorker::~LoadWorker() {
  for (Connection& c : connections_) {
    end_tls(c);
    if (c.fd >= 0) ::close(c.fd);
  }
  if (resume_from_ != nullptr) SSL_SESSION_free(resume_from_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void LoadWorker::run() {
  while (true) {
    const std::int64_t now_us = realtime_micros();
    read_schedule();
    track_window(now_us);
    if (phase_ == RunPhase::closing) {
      if (!closing_started_) begin_closing(now_us);
      if (open_fds_ == 0 || now_us >= close_deadline_us_) break;
    } else {
      start_due_connections(now_us);
    }
    if (now_us >= next_timeout_scan_us_) {
      expire_timeouts(now_us);
      next_timeout_scan_us_ = now_us + kTimeoutScanIntervalUs;
    }
    const int ready = ::epoll_wait(epoll_fd_, events_.data(), kEventBatch,
                                   options_.busy_poll ? 0 : wait_millis(now_us));
    if (ready <= 0 && options_.busy_poll && window_entered_ && !window_left_) {
      idle_us_in_window_ += realtime_micros() - now_us;  // the whole empty loop turn
    }
    for (int i = 0; i < ready; ++i) on_event(events_[i].data.u64, events_[i].events);
  }
  close_remaining();
  track_window(window_end_us_);
  summarize_connections();
}

void LoadWorker::read_schedule() noexcept {
  phase_ = schedule_.phase.load(std::memory_order_acquire);
  window_start_us_ = schedule_.window_start_us.load(std::memory_order_relaxed);
  window_end_us_ = schedule_.window_end_us.load(std::memory_order_relaxed);
}

// Samples this thread's CPU time when the loop first sees the window open and close.
void LoadWorker::track_window(std::int64_t now_us) noexcept {
  if (!window_entered_ && now_us >= window_start_us_) {
    window_entered_ = true;
    window_entered_us_ = now_us;
    window_entered_cpu_ = thread_cpu_seconds();
  }
  if (window_entered_ && !window_left_ && now_us >= window_end_us_) {
    window_left_ = true;
    const double wall = static_cast<double>(realtime_micros() - window_entered_us_) * 1e-6;
    if (wall > 0) stats_.thread_cpu_share = (thread_cpu_seconds() - window_entered_cpu_) / wall;
    if (wall > 0 && options_.busy_poll) {
      stats_.thread_busy_share = 1.0 - static_cast<double>(idle_us_in_window_) * 1e-6 / wall;
    }
  }
}

int LoadWorker::wait_millis(std::int64_t now_us) const noexcept {
  std::int64_t wait_us = kMaxWaitUs;
  if (start_rate_ > 0 && !idle_slots_.empty() && phase_ != RunPhase::closing) {
    const auto next_start_us =
        schedule_.start_us +
        static_cast<std::int64_t>(static_cast<double>(starts_) * 1e6 / start_rate_);
    wait_us = std::min(wait_us, next_start_us - now_us);
  }
  if (!window_entered_) wait_us = std::min(wait_us, window_start_us_ - now_us);
  if (window_entered_ && !window_left_) wait_us = std::min(wait_us, window_end_us_ - now_us);
  if (closing_started_) wait_us = std::min(wait_us, close_deadline_us_ - now_us);
  return static_cast<int>((std::max<std::int64_t>(wait_us, 0) + 999) / 1000);
}

std::uint64_t LoadWorker::token_of(const Connection& c) const noexcept {
  const auto slot = static_cast<std::uint64_t>(&c - connections_.data());
  return (std::uint64_t{c.generation} << 32) | slot;
}

void LoadWorker::on_event(std::uint64_t token, std::uint32_t events) {
  const auto slot = static_cast<std::uint32_t>(token);
  Connection& c = connections_[slot];
  if (c.fd < 0 || c.generation != static_cast<std::uint32_t>(token >> 32)) return;
  if (c.state == ConnectionState::connecting) {
    on_connect_finished(c);
  } else {
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) on_readable(c);
    if ((events & EPOLLOUT) != 0 && c.pending_close == CloseReason::none) flush_unsent(c);
  }
  if (c.pending_close != CloseReason::none) close_connection(c, c.pending_close);
}

void LoadWorker::start_due_connections(std::int64_t now_us) {
  std::uint64_t allowed = UINT64_MAX;
  if (start_rate_ > 0) {
    const double elapsed_s = static_cast<double>(now_us - schedule_.start_us) * 1e-6;
    allowed = static_cast<std::uint64_t>(std::max(0.0, elapsed_s * start_rate_)) + 1;
  }
  const std::size_t max_in_progress =
      plan_.tls != nullptr ? kMaxTlsHandshakesInProgress : kMaxHandshakesInProgress;
  // A slot whose connect fails at once is idle again straight away; one pass over the idle
  // slots at most keeps that from spinning.
  for (std::size_t budget = idle_slots_.size();
       budget > 0 && starts_ < allowed && !idle_slots_.empty() &&
       handshakes_in_progress_ < max_in_progress;
       --budget) {
    const std::uint32_t slot = idle_slots_.back();
    idle_slots_.pop_back();
    start_connection(slot, now_us);
  }
}

void LoadWorker::start_connection(std::uint32_t slot, std::int64_t now_us) {
  Connection& c = connections_[slot];
  // Connect mode spreads successive cycles over the source addresses; the others, connections.
  const std::uint64_t spread_index =
      (options_.mode == LoadMode::connect ? starts_ : slot) * options_.threads + index_;
  ++starts_;
  ++c.generation;
  c.state = ConnectionState::connecting;
  c.pending_close = CloseReason::none;
  c.phase_started_us = now_us;
  c.last_seq = -1;
  c.mask = MaskKey::from_bits(static_cast<std::uint32_t>(random_()));
  c.key_seed = random_();
  ++handshakes_in_progress_;
  const ConnectStart start =
      start_tcp_connect(plan_.server, loopback_source_address(spread_index, options_.source_ips));
  if (start.fd < 0) {
    if (stats_.first_connect_errno == 0) stats_.first_connect_errno = start.error;
    close_connection(c, CloseReason::connect_failed);
    return;
  }
  c.fd = start.fd;
  ++open_fds_;
  epoll_event event{};
  event.events = (start.connected ? EPOLLIN : EPOLLOUT) | EPOLLET;
  event.data.u64 = token_of(c);
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &event) != 0) {
    close_connection(c, CloseReason::connect_failed);
    return;
  }
  if (start.connected) {
    send_upgrade_request(c);
    if (c.pending_close != CloseReason::none) close_connection(c, c.pending_close);
  }
}

void LoadWorker::on_connect_finished(Connection& c) {
  const int error = connect_result(c.fd);
  if (error != 0) {
    if (stats_.first_connect_errno == 0) stats_.first_connect_errno = error;
    c.pending_close = CloseReason::connect_failed;
    return;
  }
  watch(c, EPOLLIN);
  send_upgrade_request(c);
}

void LoadWorker::send_upgrade_request(Connection& c) {
  if (plan_.tls != nullptr && !start_tls(c)) {
    c.pending_close = CloseReason::handshake_failed;
    return;
  }
  const HandshakeKey key = derive_handshake_key(c.key_seed);
  const std::size_t size =
      options_.sse ? write_stream_request(write_buffer_.data(), plan_.host_header, options_.path)
                   : write_upgrade_request(write_buffer_.data(), plan_.host_header, options_.path, key,
                                           options_.deflate);
  c.state = ConnectionState::upgrading;
  send_bytes(c, std::string_view(write_buffer_.data(), size));
}

// Returns the bytes after the reply header: frames the server sent straight after it.
std::string_view LoadWorker::accept_upgrade(Connection& c, std::string_view bytes,
                                            std::int64_t now_us) {
  const HandshakeKey key = derive_handshake_key(c.key_seed);
  const UpgradeReply reply =
      options_.sse ? check_stream_reply(bytes) : check_upgrade_reply(bytes, key.accept_text());
  if (reply.status == UpgradeStatus::incomplete) {
    c.carry.assign(bytes.begin(), bytes.end());
    return {};
  }
  if (reply.status == UpgradeStatus::rejected) {
    c.pending_close = CloseReason::handshake_failed;
    return {};
  }
  on_opened(c, now_us);
  return bytes.substr(reply.header_size);
}

void LoadWorker::on_opened(Connection& c, std::int64_t now_us) {
  if (c.ssl != nullptr) on_tls_opened(c);
  c.state = ConnectionState::open;
  c.was_opened = true;
  --handshakes_in_progress_;
  ++stats_.opened;
  switch (options_.mode) {
    case LoadMode::fanout:
      settle_setup(true);
      break;
    case LoadMode::echo:
      settle_setup(true);
      send_echoes(c, options_.in_flight, now_us);
      break;
    case LoadMode::connect:
      if (is_in_window(now_us)) {
        ++stats_.handshakes_in_window;
        stats_.latency.record(now_us - c.phase_started_us);
      }
      begin_close(c, now_us);
      break;
  }
}

void LoadWorker::begin_close(Connection& c, std::int64_t now_us) {
  char frame[kMaxClientHeaderSize + 2];
  const std::size_t size = write_close_frame(frame, 1000, c.mask);
  c.state = ConnectionState::closing;
  c.phase_started_us = now_us;
  send_bytes(c, std::string_view(frame, size));
}

void LoadWorker::settle_setup(bool opened) noexcept {
  if (options_.mode == LoadMode::connect) return;
  if (opened) schedule_.opened.fetch_add(1, std::memory_order_relaxed);
  schedule_.settled.fetch_add(1, std::memory_order_release);
}

void LoadWorker::count_close(const Connection& c, CloseReason reason) {
  const bool handshaking =
      c.state == ConnectionState::connecting || c.state == ConnectionState::upgrading;
  if (reason == CloseReason::finished) return;
  if (handshaking) {
    // A fanout or echo connection that never opened has failed whatever the reason;
    // in connect mode one cut short by the end of the run has not.
    if (c.state == ConnectionState::connecting || reason == CloseReason::connect_failed) {
      ++stats_.connect_failed;
    } else {
      ++stats_.handshake_failed;
    }
    settle_setup(false);
    return;
  }
  if (c.state == ConnectionState::closing) {
    if (reason == CloseReason::timed_out) ++stats_.close_timeouts;
    if (reason == CloseReason::protocol_error) ++stats_.protocol_errors;
    return;
  }
  if (c.state == ConnectionState::open && phase_ != RunPhase::closing) {
    ++stats_.dropped;
    if (reason == CloseReason::protocol_error) ++stats_.protocol_errors;
  }
}

void LoadWorker::close_connection(Connection& c, CloseReason reason) {
  count_close(c, reason);
  if (c.state == ConnectionState::connecting || c.state == ConnectionState::upgrading) {
    --handshakes_in_progress_;
  }
  end_tls(c);
  if (c.fd >= 0) {
    ::close(c.fd);  // also leaves the epoll set: the fd is not shared
    c.fd = -1;
    --open_fds_;
  }
  c.pending_close = CloseReason::none;
  c.carry.clear();
  c.unsent.clear();
  const bool again = options_.mode == LoadMode::connect && phase_ != RunPhase::closing;
  c.state = again ? ConnectionState::idle : ConnectionState::closed;
  if (again) idle_slots_.push_back(static_cast<std::uint32_t>(&c - connections_.data()));
}

void LoadWorker::expire_timeouts(std::int64_t now_us) {
  if (handshakes_in_progress_ == 0 && options_.mode != LoadMode::connect) return;
  for (Connection& c : connections_) {
    const std::int64_t age_us = now_us - c.phase_started_us;
    const bool handshaking =
        c.state == ConnectionState::connecting || c.state == ConnectionState::upgrading;
    if ((handshaking && age_us > kHandshakeTimeoutUs) ||
        (c.state == ConnectionState::closing && age_us > kCloseGraceUs)) {
      close_connection(c, CloseReason::timed_out);
    }
  }
}

void LoadWorker::begin_closing(std::int64_t now_us) {
  closing_started_ = true;
  close_deadline_us_ = now_us + kCloseGraceUs;
  const CloseReason unopened =
      options_.mode == LoadMode::connect ? CloseReason::finished : CloseReason::timed_out;
  if (options_.mode != LoadMode::connect) {
    stats_.not_started += idle_slots_.size();
    idle_slots_.clear();
  }
  for (Connection& c : connections_) {
    if (c.state == ConnectionState::open) {
      begin_close(c, now_us);
    } else if (c.state == ConnectionState::connecting || c.state == ConnectionState::upgrading) {
      c.pending_close = unopened;
    }
    if (c.pending_close != CloseReason::none) close_connection(c, c.pending_close);
  }
}

void LoadWorker::close_remaining() {
  for (Connection& c : connections_) {
    if (c.fd < 0) continue;
    const bool waited = c.state == ConnectionState::closing;
    close_connection(c, waited ? CloseReason::timed_out : CloseReason::finished);
  }
}

void LoadWorker::summarize_connections() noexcept {
  if (options_.mode == LoadMode::connect) return;
  for (const Connection& c : connections_) {
    if (!c.was_opened) continue;
    stats_.min_connection_messages =
        std::min<std::uint64_t>(stats_.min_connection_messages, c.window_messages);
    stats_.max_connection_messages =
        std::max<std::uint64_t>(stats_.max_connection_messages, c.window_messages);
  }
}

}  // namespace levelcast::load
