#include "push/server.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "push/audio/source_kinds.hpp"
#include "push/cluster/cluster_startup.hpp"

namespace levelcast {
namespace {
constexpr int kListenBacklog = 4096;

std::vector<Worker*> raw(const std::vector<std::unique_ptr<Worker>>& workers) {
  std::vector<Worker*> out;
  for (const auto& w : workers) out.push_back(w.get());
  return out;
}

RouteConfig route_config(const ServerOptions& o) {
  RouteConfig config;
  config.echo_enabled = o.echo;
  config.echo_max_message = o.max_message;
  config.allow_reset = o.allow_reset;
  config.admin_listener = !o.admin_host.empty();
  return config;
}

// A cluster node serves topics learned at run time, up to --max-topics.
size_t topic_capacity(const ServerOptions& o) {
  return o.cluster.enabled ? o.max_topics : std::max<size_t>(1, o.sources.size());
}

size_t window_frames(int sample_rate, double rate) {
  return static_cast<size_t>(static_cast<double>(sample_rate) / rate);
}
}  // namespace

Server::Server(const ServerOptions& options, StartupError& error)
    : options_(options), topics_(topic_capacity(options)), site_(options.static_dir) {
  if (!configure_access(error) || !open_sources(error)) return;
  const size_t channels = options_.cluster.enabled ? topics_.capacity() * kFormsPerTopic : topics_.channel_count();
  // One producer's counters per source, and one for the cluster relay (its frames encoded).
  const size_t producers = topics_.size() + (options_.cluster.enabled ? 1 : 0);
  metrics_ = std::make_unique<ServerMetrics>(static_cast<size_t>(options_.workers), producers, channels);
  routes_ = std::make_unique<LevelcastRoutes>(route_config(options_), topics_, *metrics_, site_,
                                              access_);
  if (options_.tls() && !open_tls(error)) return;
  std::vector<Listener> listeners;
  if (!open_listeners(listeners, error)) return;
  if (options_.cluster.enabled && !join_cluster(error)) return;
  for (size_t i = 0; i < static_cast<size_t>(options_.workers); ++i) {
    WorkerConfig config;
    config.index = i;
    config.broadcast.channels = channels;
    config.broadcast.history = options_.history;
    config.broadcast.max_lag_ns = options_.max_lag_ns;
    config.broadcast.bound = options_.bound;
    config.io_uring = options_.io_uring;
    config.permessage_deflate = options_.deflate.enabled;
    config.limits = options_.limits;
    config.tls = tls_.get();
    config.tls_over_socket = tls_over_socket_;
    config.tokens_expire = access_.requires_token();
    workers_.push_back(std::make_unique<Worker>(config, *routes_, *metrics_));
  }
  hub_ = std::make_unique<BroadcastHub>(raw(workers_), cluster_outbox_.get());
  if (options_.cluster.enabled) {
    ClusterCounters& counters = metrics_->cluster();
    if (cluster_outbox_)
      cluster_publisher_ = std::make_unique<ClusterPublisher>(options_.cluster, owned_topics_, *cluster_outbox_, counters);
    cluster_relay_ = std::make_unique<ClusterRelay>(options_.cluster, topics_, *hub_, counters,
                                                    metrics_->producer(producers - 1), options_.deflate);
  }
  for (size_t i = 0; i < sources_.size(); ++i) {
    Topic& topic = topics_.at(i);
    ProducerCounters& counters = metrics_->producer(i);
    if (sources_[i].lines) {
      line_producers_.push_back(
          std::make_unique<LinesProducer>(topic, std::move(sources_[i].lines), *hub_, counters,
                                          options_.sources[i].max_line, options_.deflate));
      continue;
    }
    AudioSource& audio = *sources_[i].audio;
    TopicMeter meter(options_.sources[i].meter, audio.channels(), audio.sample_rate(),
                     window_frames(audio.sample_rate(), options_.rate));
    producers_.push_back(std::make_unique<Producer>(topic, std::move(sources_[i].audio),
                                                    std::move(meter), *hub_, counters,
                                                    options_.deflate));
  }
  acceptor_ = std::make_unique<Acceptor>(std::move(listeners), raw(workers_), *metrics_,
                                         AdmissionLimits{options_.max_connections,
                                                         options_.max_connections_per_ip});
  add_log_reload();
  if (tls_) add_tls_reload();
}

// Keys and origins are read before anything starts: a bad one is a configuration error (2).
bool Server::configure_access(StartupError& error) {
  AccessConfig config;
  const auto fail = [&](std::string_view option, const std::string& why) {
    error.message = fmt::format("{}: {}", option, why);
    error.exit_code = 2;
    return false;
  };
  for (const std::string& pattern : options_.allowed_origins) {
    if (!config.origins.add(pattern, error.message)) return fail("--allowed-origin", error.message);
  }
  if (!options_.auth_hmac_secret_file.empty() &&
      !config.keys.load_hmac_secret_file(options_.auth_hmac_secret_file, error.message)) {
    return fail("--auth-hmac-secret-file", error.message);
  }
  for (const std::string& path : options_.auth_public_keys) {
    if (!config.keys.load_public_key_file(path, error.message)) {
      return fail("--auth-public-key", error.message);
    }
  }
  config.policy.audience = options_.auth_audience;
  config.policy.leeway_s = options_.auth_leeway_s;
  access_ = AccessControl(std::move(config));
  error.message.clear();
  return true;
}

// Every --bind on one port (the first one's, when --port is 0), unless --no-plain; the same for
// TLS on --tls-port; then the admin listener.
bool Server::open_listeners(std::vector<Listener>& listeners, StartupError& error) {
  const auto open_each = [&](uint16_t port, bool tls, uint16_t& bound) {
    for (const std::string& address : options_.binds) {
      UniqueFd fd = listen_tcp(address, port, kListenBacklog, error.message, options_.reuse_port);
      if (!fd.valid()) {
        error.exit_code = 1;
        return false;
      }
      port = local_port(fd.get());
      listeners.push_back({std::move(fd), false, tls});
    }
    bound = port;
    return true;
  };
  if (options_.plain() && !open_each(options_.port, false, port_)) return false;
  if (options_.tls() && !open_each(options_.tls_port, true, tls_port_)) return false;
  if (options_.admin_host.empty()) return true;
  UniqueFd admin = listen_tcp(options_.admin_host, options_.admin_port, kListenBacklog,
                              error.message);
  if (!admin.valid()) {
    error.message = "--admin-bind: " + error.message;
    error.exit_code = 1;
    return false;
  }
  admin_port_ = local_port(admin.get());
  listeners.push_back({std::move(admin), true});
  return true;
}

// The log opens its file again (after logrotate moved it) and takes the new level, format or file.
void Server::add_log_reload() {
  reload_hooks_.add("log", [](const ServerOptions& fresh) {
    set_log_level(fresh.log_level);
    set_log_format(fresh.log_format);
    std::string error;
    // Opening the file again is the reopen: logrotate's moved file is let go.
    if (!set_log_file(fresh.log_file, error)) LC_LOG(error, "reload: {}; the log stays where it was", error);
  });
}

void Server::reload(const ServerOptions& fresh) {
  reload_hooks_.run(fresh);
  LC_LOG(info, "reloaded: log level {}, {} reload hooks", log_level_name(fresh.log_level),
         reload_hooks_.size());
}

// The certificate and key are checked before anything listens: a bad pair is exit status 2.
bool Server::open_tls(StartupError& error) {
  auto ring = std::make_shared<TicketKeyRing>(options_.tls_ticket_rotation_s, mono_nanos() / kNanosPerSecond,
                                              &metrics_->tls_ticket_rotations());
  tls_ = TlsContextStore::open({options_.tls_cert, options_.tls_key}, std::move(ring), error.message);
  if (!tls_) {
    error.message = "--tls-cert/--tls-key: " + error.message;
    error.exit_code = 2;
    return false;
  }
  metrics_->tls_cert_not_after().store(tls_->not_after_unix(), std::memory_order_relaxed);
  std::string why;
  const bool kernel = kernel_tls_available(why);
  tls_over_socket_ = options_.tls_bio == TlsBio::socket || (kernel && options_.tls_bio == TlsBio::automatic);
  LC_LOG(info, "TLS: kTLS {} ({}): {}", kernel ? "available" : "not available", why,
         !tls_over_socket_ ? "user-space TLS over the workers' shared buffers"
         : kernel ? "sessions over the socket, the kernel encrypts what OpenSSL hands it (broadcasts go out as plaintext)"
                  : "handshakes over the socket (--tls-bio socket, for testing), then user-space TLS over shared buffers");
  return true;
}

// The certificate and key are read again (from the files the fresh options name) and checked
// here, on the signal thread; the workers take the new context for their next connections.
void Server::add_tls_reload() {
  reload_hooks_.add("tls", [this](const ServerOptions& fresh) {
    if (!fresh.tls()) {
      LC_LOG(warn, "reload: TLS cannot be turned off without a restart; keeping the certificate");
      return;
    }
    std::string error;
    if (!tls_->reload({fresh.tls_cert, fresh.tls_key}, error)) {
      LC_LOG(error, "reload: TLS certificate not reloaded, keeping the current one: {}", error);
      return;
    }
    metrics_->tls_cert_not_after().store(tls_->not_after_unix(), std::memory_order_relaxed);
    LC_LOG(info, "reload: TLS certificate reloaded from {}", fresh.tls_cert);
  });
}

// Every source is opened before any thread starts, so a bad one stops start-up with its reason.
bool Server::open_sources(StartupError& error) {
  for (const SourceSpec& spec : options_.sources) {
    const SourceKindRow& kind = source_kind(spec.kind);
    OpenedSource source;
    std::string reason;
    if (kind.open_text != nullptr) {
      source.lines = kind.open_text(spec, reason);
    } else {
      source.audio = kind.open_audio(spec, options_.realtime, reason);
    }
    if (!source.lines && !source.audio) reason = fmt::format("source '{}': {}", spec.name, reason);
    if (source.audio && options_.rate > source.audio->sample_rate()) {
      reason = fmt::format("source '{}': --rate {} is above its sample rate of {} Hz (a snapshot "
                           "needs at least one sample)", spec.name, options_.rate,
                           source.audio->sample_rate());
      source.audio.reset();
    }
    if (!source.lines && !source.audio) {
      error.message = reason;
      error.exit_code = 2;
      return false;
    }
    Topic& topic = topics_.add(spec.name, std::string(kind.name));
    if (source.audio) {
      const TopicMeter meter(spec.meter, source.audio->channels(), source.audio->sample_rate(),
                             window_frames(source.audio->sample_rate(), options_.rate));
      describe_topic(topic, source, &meter);
    } else {
      describe_topic(topic, source, nullptr);
    }
    sources_.push_back(std::move(source));
  }
  return true;
}

// Claims the local topics (refused: exit 2) and prepares the outbox their producers feed.
bool Server::join_cluster(StartupError& error) {
  if (options_.cluster.node_id.empty()) options_.cluster.node_id = default_node_id(port_);
  const std::string* node = topics_.intern_node(options_.cluster.node_id);
  for (size_t i = 0; i < topics_.size(); ++i) topics_.at(i).node.store(node, std::memory_order_release);
  if (!claim_local_topics(options_.cluster, topics_, owned_topics_, error.message)) {
    error.exit_code = 2;
    return false;
  }
  if (topics_.size() > 0) cluster_outbox_ = std::make_unique<ClusterOutbox>();
  metrics_->enable_cluster();
  return true;
}

void Server::describe_topic(Topic& topic, const OpenedSource& source,
                            const TopicMeter* meter) const {
  topic.command = source.audio ? source.audio->command_status() : &source.lines->status();
  if (!source.audio) {
    topic.rate = 0;
    topic.channels = 0;
    topic.fields = {"line"};
    topic.has_binary = false;
    return;
  }
  topic.rate = options_.rate;
  topic.channels = source.audio->channels();
  // With access control a token covering the topic allows a reset; without, --allow-reset.
  const bool tokens = !options_.auth_hmac_secret_file.empty() || !options_.auth_public_keys.empty();
  topic.loudness_resettable = (options_.allow_reset || tokens) && meter->resets_loudness();
  topic.fields = meter->fields();
  topic.bands_hz = meter->band_hz();
}

Server::~Server() { stop(); }

// --pin-cpus lists CPUs for the workers first, then the acceptor, then the producers.
int Server::cpu_for(size_t thread_index) const {
  const auto& cpus = options_.pin_cpus;
  return cpus.empty() ? -1 : cpus[thread_index % cpus.size()];
}

void Server::start() {
  for (size_t i = 0; i < workers_.size(); ++i) workers_[i]->start(cpu_for(i));
  acceptor_->start(cpu_for(workers_.size()));
  size_t next = workers_.size() + 1;
  for (auto& p : producers_) p->start(cpu_for(next++));
  for (auto& p : line_producers_) p->start(cpu_for(next++));
  if (cluster_publisher_) cluster_publisher_->start(cpu_for(next++));
  if (cluster_relay_) cluster_relay_->start(cpu_for(next++));
  running_ = true;
}

void Server::stop() {
  if (!running_) return;
  running_ = false;
  acceptor_->stop();
  for (auto& p : producers_) p->stop();
  for (auto& p : line_producers_) p->stop();
  if (cluster_publisher_) cluster_publisher_->stop();
  if (cluster_relay_) cluster_relay_->stop();
  for (auto& w : workers_) w->request_stop();
  for (auto& w : workers_) w->join();
}

}  // namespace levelcast
