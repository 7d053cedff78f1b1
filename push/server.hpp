#pragma once
// Server: wires the threads together. N workers, one acceptor, one producer per topic, the
// broadcast hub between them, and the routes; with --cluster, the cluster publisher (when there
// are local topics) and relay. No globals: main() owns the one Server.
//
// Threads: every method belongs to the thread that owns the Server.
#include <memory>
#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "net/acceptor.hpp"
#include "net/tls_context.hpp"
#include "net/worker.hpp"
#include "push/broadcast_hub.hpp"
#include "push/cluster/cluster_publisher.hpp"
#include "push/cluster/cluster_relay.hpp"
#include "push/lines_producer.hpp"
#include "push/options.hpp"
#include "push/producer.hpp"
#include "push/reload_hooks.hpp"
#include "push/routes.hpp"
#include "push/topic.hpp"

namespace levelcast {

// What building a Server found wrong: one line, and the exit status it calls for.
struct StartupError {
  std::string message;
  int exit_code = 0;  // 0: none; 2: bad configuration (a source); 1: the system refused
};

class Server {
 public:
  // Opens the sources and binds the listening socket; on failure `error` says why and ok() is
  // false.
  Server(const ServerOptions& options, StartupError& error);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  bool ok() const { return acceptor_ != nullptr; }
  uint16_t port() const { return port_; }          // 0 with --no-plain
  uint16_t tls_port() const { return tls_port_; }  // 0 without TLS
  uint16_t admin_port() const { return admin_port_; }
  const TopicRegistry& topics() const { return topics_; }
  const ServerMetrics& metrics() const { return *metrics_; }
  // What a SIGHUP reload changes; parts add their hook at start-up (the log's is built in).
  ReloadHooks& reload_hooks() { return reload_hooks_; }
  // Applies what can change without a restart from freshly parsed options.
  void reload(const ServerOptions& fresh);
  void start();
  // Stops accepting and producing, sends every WebSocket client 1001, and waits for the workers.
  void stop();

 private:
  // A topic's source, opened before the threads exist.
  struct OpenedSource {
    std::unique_ptr<AudioSource> audio;
    std::unique_ptr<CommandStream> lines;
  };

  bool open_sources(StartupError& error);
  bool open_tls(StartupError& error);
  bool configure_access(StartupError& error);
  bool open_listeners(std::vector<Listener>& listeners, StartupError& error);
  bool join_cluster(StartupError& error);
  void describe_topic(Topic& topic, const OpenedSource& source,
                      const TopicMeter* meter) const;
  int cpu_for(size_t thread_index) const;
  void add_log_reload();
  void add_tls_reload();

  ServerOptions options_;
  TopicRegistry topics_;
  std::vector<OpenedSource> sources_;
  std::unique_ptr<ServerMetrics> metrics_;
  StaticSite site_;
  AccessControl access_;
  std::unique_ptr<LevelcastRoutes> routes_;
  std::unique_ptr<TlsContextStore> tls_;  // before workers_: they use it until they end
  std::vector<std::unique_ptr<Worker>> workers_;
  // Declared before the producers and the hub: their publishers hold tokens of its queue.
  std::unique_ptr<ClusterOutbox> cluster_outbox_;
  std::vector<OwnedTopicStart> owned_topics_;
  std::unique_ptr<BroadcastHub> hub_;
  std::unique_ptr<Acceptor> acceptor_;
  std::vector<std::unique_ptr<Producer>> producers_;
  std::vector<std::unique_ptr<LinesProducer>> line_producers_;
  ReloadHooks reload_hooks_;
  std::unique_ptr<ClusterPublisher> cluster_publisher_;
  std::unique_ptr<ClusterRelay> cluster_relay_;
  uint16_t port_ = 0;
  uint16_t tls_port_ = 0;
  bool tls_over_socket_ = false;  // --tls-bio and the kTLS probe: sessions over a socket BIO
  uint16_t admin_port_ = 0;
  bool running_ = false;
};

}  // namespace levelcast
