#pragma once
// LoadWorker: one thread with its own epoll instance, driving a share of the connections. In
// fanout and echo mode it owns connections i with i % threads == its index, each opened once;
// in connect mode it owns that many slots, each cycling connect -> upgrade -> close.
// Thread contract: the constructor runs on main; after that everything (sockets, buffers,
// stats) is touched only by the thread running run(), and main reads stats() after joining it.
// Talks to main only through RunSchedule.
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "client_frame_writer.hpp"
#include "client_tls.hpp"
#include "load_options.hpp"
#include "run_schedule.hpp"
#include "server_frame_parser.hpp"
#include "snapshot_inflater.hpp"
#include "worker_stats.hpp"

namespace levelcast::load {

// The options plus what main resolved from them once.
struct LoadPlan {
  LoadOptions options;
  sockaddr_in server{};
  std::string host_header;  // "host:port"
  const ClientTls* tls = nullptr;  // --tls
};

enum class ConnectionState : std::uint8_t { idle, connecting, upgrading, open, closing, closed };

enum class CloseReason : std::uint8_t {
  none,
  finished,        // a clean end: our close was answered, or the run ended
  peer_closed,     // the server sent a close frame, or EOF
  io_error,        // read or write failed
  protocol_error,  // the server broke RFC 6455
  connect_failed,
  handshake_failed,
  timed_out,  // connecting, upgrading or waiting for the close reply took too long
};

// One client connection. 104 bytes; the vectors hold memory only while a frame is split across
// reads or the socket does not take all that is sent.
struct Connection {
  int fd = -1;
  std::uint32_t generation = 0;  // bumped on every (re)start; stale epoll events are ignored
  ConnectionState state = ConnectionState::idle;
  CloseReason pending_close = CloseReason::none;  // set inside handlers, acted on after them
  bool was_opened = false;
  MaskKey mask;
  std::uint32_t window_messages = 0;
  std::int64_t last_seq = -1;
  std::int64_t phase_started_us = 0;  // when connect() was called, or our close frame sent
  std::uint64_t key_seed = 0;         // Sec-WebSocket-Key, see derive_handshake_key
  std::vector<char> carry;            // an incomplete reply header or frame
  std::vector<char> unsent;           // bytes the socket has not taken yet
  SSL* ssl = nullptr;                 // --tls: the connection's TLS session
};

class LoadWorker {
 public:
  LoadWorker(const LoadPlan& plan, RunSchedule& schedule, unsigned index);
  ~LoadWorker();
  LoadWorker(const LoadWorker&) = delete;
  LoadWorker& operator=(const LoadWorker&) = delete;

  void run();  // the worker thread's body; returns once the run has closed
  const WorkerStats& stats() const noexcept { return stats_; }

 private:
  static constexpr int kEventBatch = 512;

  // The loop and its timing.
  void read_schedule() noexcept;
  void track_window(std::int64_t now_us) noexcept;
  int wait_millis(std::int64_t now_us) const noexcept;
  bool is_in_window(std::int64_t now_us) const noexcept {
    return now_us >= window_start_us_ && now_us < window_end_us_;
  }
  void on_event(std::uint64_t token, std::uint32_t events);

  // Opening and closing.
  void start_due_connections(std::int64_t now_us);
  void start_connection(std::uint32_t slot, std::int64_t now_us);
  void on_connect_finished(Connection& c);
  void send_upgrade_request(Connection& c);
  std::string_view accept_upgrade(Connection& c, std::string_view bytes, std::int64_t now_us);
  void on_opened(Connection& c, std::int64_t now_us);
  void begin_close(Connection& c, std::int64_t now_us);
  void close_connection(Connection& c, CloseReason reason);
  void count_close(const Connection& c, CloseReason reason);
  void settle_setup(bool opened) noexcept;
  void expire_timeouts(std::int64_t now_us);
  void begin_closing(std::int64_t now_us);
  void close_remaining();
  void summarize_connections() noexcept;

  // Reading and the messages.
  void on_readable(Connection& c);
  void on_bytes(Connection& c, std::string_view bytes);
  void consume_frames(Connection& c, std::string_view bytes, std::int64_t now_us, bool in_window);
  void consume_events(Connection& c, std::string_view bytes, std::int64_t now_us, bool in_window);
  void on_frame(Connection& c, const ServerFrame& frame, std::int64_t now_us, bool in_window);
  void record_snapshot(Connection& c, const ServerFrame& frame, std::int64_t now_us,
                       bool in_window) noexcept;
  void record_echo(const ServerFrame& frame, std::int64_t now_us, bool in_window) noexcept;
  void track_sequence(Connection& c, std::int64_t seq) noexcept;

  // load_worker_tls.cpp: the byte transport, plain or TLS.
  ssize_t read_some(Connection& c, char* buffer, std::size_t size);
  ssize_t write_some(Connection& c, const char* bytes, std::size_t size);
  bool start_tls(Connection& c);
  void on_tls_opened(Connection& c);
  void end_tls(Connection& c);

  // Writing.
  void send_echoes(Connection& c, std::size_t count, std::int64_t now_us);
  void send_bytes(Connection& c, std::string_view bytes);
  void flush_unsent(Connection& c);
  void watch(const Connection& c, std::uint32_t events);
  std::uint64_t token_of(const Connection& c) const noexcept;

  const LoadPlan& plan_;
  const LoadOptions& options_;
  RunSchedule& schedule_;
  const unsigned index_;
  int epoll_fd_ = -1;
  std::mt19937_64 random_;

  std::vector<Connection> connections_;
  std::vector<std::uint32_t> idle_slots_;  // slots that may start, next one at the back
  std::vector<char> read_buffer_;          // one per worker, shared by all its connections
  std::vector<char> write_buffer_;
  SnapshotInflater inflater_;  // --deflate: compressed snapshots, one at a time
  std::array<epoll_event, kEventBatch> events_{};

  double start_rate_ = 0;  // this worker's share of --connect-rate; 0: unpaced
  std::uint64_t starts_ = 0;
  std::size_t handshakes_in_progress_ = 0;
  std::size_t open_fds_ = 0;
  std::size_t echoes_due_ = 0;  // echo replies seen in the read being handled

  RunPhase phase_ = RunPhase::setup;
  std::int64_t window_start_us_ = 0;
  std::int64_t window_end_us_ = 0;
  bool window_entered_ = false;
  bool window_left_ = false;
  std::int64_t window_entered_us_ = 0;
  double window_entered_cpu_ = 0;
  std::int64_t idle_us_in_window_ = 0;  // --busy-poll: loop turns that found nothing
  bool closing_started_ = false;
  std::int64_t close_deadline_us_ = 0;
  std::int64_t next_timeout_scan_us_ = 0;

  SSL_SESSION* resume_from_ = nullptr;  // --tls-resume: the last ticket received

  WorkerStats stats_;
};

}  // namespace levelcast::load
