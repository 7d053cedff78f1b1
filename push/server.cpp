#include "push/server.hpp"

#include "push/audio/synth_source.hpp"

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
  return config;
}

TopicRegistry synth_topics(const ServerOptions& o) {
  TopicRegistry topics;
  Topic& synth = topics.add("synth", "synth");
  synth.rate = o.rate;
  synth.channels = o.channels;
  synth.fields = {"rms", "peak"};
  return topics;
}
}  // namespace

Server::Server(const ServerOptions& options, std::string& error)
    : options_(options),
      topics_(synth_topics(options)),
      metrics_(static_cast<size_t>(options.workers), topics_.size(), topics_.channel_count()),
      site_(options.static_dir),
      routes_(route_config(options), topics_, metrics_, site_) {
  UniqueFd listen = listen_tcp(options_.bind, options_.port, kListenBacklog, error);
  if (!listen.valid()) return;
  port_ = local_port(listen.get());
  for (size_t i = 0; i < static_cast<size_t>(options_.workers); ++i) {
    WorkerConfig config;
    config.index = i;
    config.channel_count = topics_.channel_count();
    config.history = options_.history;
    config.limits = options_.limits;
    workers_.push_back(std::make_unique<Worker>(config, routes_, metrics_));
  }
  hub_ = std::make_unique<BroadcastHub>(raw(workers_));
  producers_.push_back(std::make_unique<Producer>(
      topics_.at(0), std::make_unique<SynthSource>(options_.channels), *hub_, metrics_.producer(0)));
  acceptor_ = std::make_unique<Acceptor>(std::move(listen), raw(workers_), metrics_,
                                         options_.max_connections);
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
  for (size_t i = 0; i < producers_.size(); ++i) producers_[i]->start(cpu_for(workers_.size() + 1 + i));
  running_ = true;
}

void Server::stop() {
  if (!running_) return;
  running_ = false;
  acceptor_->stop();
  for (auto& p : producers_) p->stop();
  for (auto& w : workers_) w->request_stop();
  for (auto& w : workers_) w->join();
}

}  // namespace levelcast
