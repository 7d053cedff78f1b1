#pragma once
// Acceptor: one thread that accepts connections and hands each to a worker, round robin, through
// the worker's queue and eventfd. It keeps a spare descriptor so that when the process runs out
// of descriptors (EMFILE) it can still accept and close the pending connection instead of
// spinning on a listen socket that stays readable (the muduo way).
//
// It may listen on a plain and a TLS port; each accepted socket says which it came from.
//
// Threads: construct, start() and stop() from the server's thread; run() is the acceptor's own.
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "core/metrics.hpp"
#include "net/epoll.hpp"
#include "net/socket.hpp"
#include "net/wakeup.hpp"

namespace levelcast {

class Worker;

struct Listener {
  UniqueFd socket;
  bool tls = false;
};

class Acceptor {
 public:
  Acceptor(std::vector<Listener> listeners, std::vector<Worker*> workers, ServerMetrics& metrics,
           int64_t max_connections);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  void start(int cpu);
  // Stops accepting and closes the listening socket; returns once the thread has ended.
  void stop();

 private:
  void run(int cpu);
  void accept_all(const Listener& listener);
  void shed_one_connection(int listen_fd);
  void hand_off(int fd, bool tls);

  std::vector<Listener> listeners_;
  UniqueFd spare_;
  std::vector<Worker*> workers_;
  ServerMetrics& metrics_;
  int64_t max_connections_;
  size_t next_worker_ = 0;
  Epoll epoll_;
  Wakeup stop_wakeup_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace levelcast
