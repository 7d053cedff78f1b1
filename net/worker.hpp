#pragma once
// Worker: one thread, one epoll set, and every connection handed to it. It reads requests,
// upgrades them, runs the WebSocket protocol, writes, keeps timers, and fans each broadcast frame
// out to its subscribers. Nothing else touches its connections.
//
// Threads: the constructor, start() and join() belong to the thread that runs the server;
// post_connection(), broadcast_queue(), notify() and request_stop() are safe from any thread;
// everything else runs on the worker's own thread.
#include <sys/epoll.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "core/metrics.hpp"
#include "core/thread_owner.hpp"
#include "net/broadcast_channels.hpp"
#include "net/broadcast_queue.hpp"
#include "net/connection.hpp"
#include "net/epoll.hpp"
#include "net/frame_leases.hpp"
#include "net/permessage_deflate.hpp"
#include "net/router.hpp"
#include "net/tls_context.hpp"
#include "net/tls_session.hpp"
#include "net/wakeup.hpp"

namespace levelcast {

struct ConnectionLimits {
  size_t max_header_bytes = 8192;
  int64_t handshake_timeout_ns = 5'000'000'000;
  int64_t close_timeout_ns = 5'000'000'000;
  int64_t ping_interval_ns = 30'000'000'000;
  int64_t idle_timeout_ns = 75'000'000'000;
  size_t max_pending_output = 4 << 20;  // stop reading a client whose replies pile up past this
  // Own output (responses, echoes) of all the worker's connections past which the largest
  // holders are closed (1008); 0: no budget.
  size_t output_budget = 256u << 20;
  int subscriber_sndbuf = 64 * 1024;  // SO_SNDBUF of a subscriber's socket; 0: autotuned
  int64_t slow_close_ns = 10'000'000'000;  // close (1008) a subscriber that took no frame for this long; 0: never
};

struct WorkerConfig {
  size_t index = 0;
  BroadcastConfig broadcast;  // channels, history, --max-lag, the per-subscriber bound
  bool io_uring = true;  // write a broadcast round as one io_uring submission when possible
  bool tokens_expire = false;  // connections may carry a token expiry: sweep at least 4 times/s
  bool permessage_deflate = false;  // accept a permessage-deflate offer (--deflate)
  int64_t sse_retry_ms = 2000;      // how long a browser waits before it reconnects a stream
  ConnectionLimits limits;
  int64_t shutdown_grace_ns = 1'500'000'000;
  TlsContextStore* tls = nullptr;  // the server's TLS contexts; null without a TLS listener
  // TLS sessions start over a socket BIO, so OpenSSL can hand their records to the kernel (kTLS);
  // otherwise over the worker's shared buffers.
  bool tls_over_socket = false;
};

class Worker {
 public:
  Worker(const WorkerConfig& config, RequestRouter& router, ServerMetrics& metrics);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start(int cpu);
  void join();

  // Any thread.
  void post_connection(AcceptedSocket socket);
  BroadcastQueue& broadcast_queue() { return broadcasts_; }
  void notify() { wakeup_.notify(); }
  // Closes every WebSocket with 1001, flushes, and ends the thread within the grace period.
  void request_stop();

 private:
  friend struct FrameEvents;

  // worker.cpp: the loop, lifetimes, broadcast
  void run(int cpu);
  void handle_event(const epoll_event& event);
  void handle_wakeup();
  void adopt_connections();
  void refuse(const AcceptedSocket& socket, const char* why);
  void drain_broadcasts();
  void settle_fan_out();
  void housekeeping();
  void enforce_output_budget(size_t total);
  void check_timers(Connection& c);
  void begin_shutdown();
  Connection* lookup(uint64_t token);
  void close_connection(Connection& c);
  void free_dead();
  void recycle(Connection& c);
  void subscribe(Connection& c, uint32_t channel, const RouteDecision& decision);
  void unsubscribe(Connection& c);

  // worker_io.cpp: reading, HTTP, WebSocket, writing
  void on_readable(Connection& c);
  void process_input(Connection& c, std::span<uint8_t> fresh);
  size_t handle_http(Connection& c, std::span<uint8_t> input);
  void answer_request(Connection& c, const HttpRequest& request);
  void upgrade(Connection& c, const HttpRequest& request, const RouteDecision& decision);
  void respond(Connection& c, const RouteDecision& decision);
  void start_stream(Connection& c, const RouteDecision& decision);
  void respond_error(Connection& c, int status, std::string_view reason,
                     std::string_view extra_headers = {}, bool head_only = false);
  size_t handle_frames(Connection& c, std::span<uint8_t> input);
  void start_close(Connection& c, CloseCode code, std::string_view reason);
  void flush(Connection& c);
  void write_output(Connection& c);
  void update_interest(Connection& c);
  void end_connection(Connection& c);
  static bool nothing_unread(int fd);
  void begin_linger(Connection& c);
  static bool output_pending(const Connection& c) {
    return !c.out.empty() ||
           (c.tls != nullptr && (!c.tls->unsent().empty() || c.tls->wants_write()));
  }

  // worker_tls.cpp: TLS connections (handshake, decryption, encrypting output)
  bool start_tls(Connection& c);
  bool take_tls_input(Connection& c, std::span<const uint8_t> received);
  bool read_tls_socket(Connection& c);
  bool advance_handshake(Connection& c, std::span<const uint8_t> received);
  bool handshake_waits_for_us(Connection& c);
  void decrypt_input(Connection& c);
  void write_tls_output(Connection& c);
  bool send_unsent(Connection& c);
  void send_ciphertext(Connection& c);
  void send_close_notify(Connection& c);

  static uint64_t token_of(const Connection& c) {
    return (static_cast<uint64_t>(c.generation) << 32) | c.slot;
  }
  static constexpr uint64_t kWakeupToken = ~uint64_t{0};
  static constexpr size_t kReadBufferBytes = 256 * 1024;
  static constexpr size_t kPlainBufferBytes = 16 * 1024;  // one TLS record's plaintext
  // A reconnect storm must not stall broadcasts: TLS handshake steps taken per loop turn; the
  // rest wait (their sockets stay readable) until the next turn.
  static constexpr int kHandshakesPerTurn = 4;

  WorkerConfig config_;
  RequestRouter& router_;
  ServerMetrics& metrics_;
  WorkerCounters& counters_;
  ThreadOwner owner_;
  std::thread thread_;

  Epoll epoll_;
  Wakeup wakeup_;
  BroadcastQueue broadcasts_;
  moodycamel::ConcurrentQueue<AcceptedSocket> accepted_;
  std::atomic<bool> stop_requested_{false};

  // Loop-thread state.
  int64_t now_ = 0;
  int64_t wall_seconds_ = 0;  // Unix time at the last housekeeping, for token expiry
  int64_t next_housekeeping_ = 0;
  int64_t shutdown_deadline_ = 0;  // 0 while running
  size_t live_connections_ = 0;
  std::vector<std::unique_ptr<Connection>> slots_;
  std::vector<uint32_t> free_slots_;
  std::vector<Connection*> dead_;
  std::vector<Connection*> broken_;   // found broken during a fan-out, closed right after it
  std::vector<Connection*> waiting_;  // output went pending during a fan-out: arm EPOLLOUT
  FrameLeases leases_;  // before channels_, which holds frames through it
  BroadcastChannels channels_;
  std::unique_ptr<uint8_t[]> read_buffer_;
  // TLS, shared by all of this worker's TLS connections.
  TlsBuffers tls_buffers_;
  std::unique_ptr<uint8_t[]> plain_buffer_;  // decrypted input
  SSL_CTX* tls_ctx_ = nullptr;               // one reference, refreshed after a reload
  uint64_t tls_generation_ = 0;
  int handshakes_left_ = kHandshakesPerTurn;
  MessageInflater inflater_;  // /echo messages compressed with permessage-deflate
  std::string inflated_;      // the last one inflated
};

}  // namespace levelcast
