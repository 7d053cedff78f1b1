#pragma once
// Server: wires the threads together. N workers, one acceptor, one producer per source, the
// broadcast hub between them, and the routes. No globals: main() owns the one Server.
//
// Threads: every method belongs to the thread that owns the Server.
#include <memory>
#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "net/acceptor.hpp"
#include "net/worker.hpp"
#include "push/broadcast_hub.hpp"
#include "push/options.hpp"
#include "push/producer.hpp"
#include "push/routes.hpp"
#include "push/topic.hpp"

namespace levelcast {

class Server {
 public:
  // Binds the listening socket; on failure `error` says why and ok() is false.
  Server(const ServerOptions& options, std::string& error);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  bool ok() const { return acceptor_ != nullptr; }
  uint16_t port() const { return port_; }
  void start();
  // Stops accepting and producing, sends every WebSocket client 1001, and waits for the workers.
  void stop();

 private:
  int cpu_for(size_t thread_index) const;

  ServerOptions options_;
  TopicRegistry topics_;
  ServerMetrics metrics_;
  StaticSite site_;
  LevelcastRoutes routes_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<BroadcastHub> hub_;
  std::unique_ptr<Acceptor> acceptor_;
  std::vector<std::unique_ptr<Producer>> producers_;
  uint16_t port_ = 0;
  bool running_ = false;
};

}  // namespace levelcast
