#pragma once
// Acceptor: one thread that accepts connections on every listening socket (the --bind ones and
// the --admin-bind one) and hands each to a worker, round robin, through the worker's queue and
// eventfd. It decides admission once per connection: over --max-connections or
// --max-connections-per-ip a connection is still handed over, to be answered 503 or 429, but
// only up to kOverLimitReserve of them; past that it is closed at once, so idle sockets cannot
// hold descriptors far beyond the limit. It keeps a spare descriptor so that when the process
// runs out of descriptors (EMFILE) it can still accept and close the pending connection instead
// of spinning on a listen socket that stays readable (the muduo way).
//
// It may listen on a plain and a TLS port; each accepted socket says which it came from.
//
// Threads: construct, start() and stop() from the server's thread; run() is the acceptor's own.
#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "core/metrics.hpp"
#include "net/admission.hpp"
#include "net/epoll.hpp"
#include "net/socket.hpp"
#include "net/wakeup.hpp"

namespace levelcast {

class Worker;

struct Listener {
  UniqueFd fd;
  bool admin = false;  // --admin-bind: /metrics and /healthz, never limited
  bool tls = false;    // --tls-port: the connections speak TLS
};

struct AdmissionLimits {
  int64_t max_connections = 1 << 20;
  uint32_t max_per_address = 0;  // 0: no per-address limit
};

class Acceptor {
 public:
  // Over-limit connections answered (503/429) rather than closed at once, beyond each limit.
  static constexpr int64_t kOverLimitReserve = 64;

  Acceptor(std::vector<Listener> listeners, std::vector<Worker*> workers, ServerMetrics& metrics,
           AdmissionLimits limits);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  void start(int cpu);
  // Stops accepting and closes the listening sockets; returns once the thread has ended.
  void stop();

 private:
  void run(int cpu);
  void accept_all(const Listener& listener);
  void shed_one_connection(int listen_fd);
  void hand_off(int fd, const sockaddr_storage& peer, const Listener& listener);
  AcceptedSocket admit(int fd, const sockaddr_storage& peer, int64_t open);
  void close_at_once(const AcceptedSocket& socket);
  uint16_t peer_bucket(const sockaddr_storage& peer) const;

  std::vector<Listener> listeners_;
  UniqueFd spare_;
  std::vector<Worker*> workers_;
  ServerMetrics& metrics_;
  AdmissionLimits limits_;
  uint64_t hash_key_;  // random per process: which addresses share a bucket is not predictable
  size_t next_worker_ = 0;
  Epoll epoll_;
  Wakeup stop_wakeup_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace levelcast
