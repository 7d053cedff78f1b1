#pragma once
// LevelcastRoutes: what each path of the server does.
//   /levels[/NAME][?format=json|binary][&since=SEQ]  subscribe to a topic (default: the first)
//   /events[/NAME][?since=SEQ]  the same as Server-Sent Events (Last-Event-ID resumes too)
//   /topics  the topics as JSON       /echo  echo peer       /healthz, /metrics
//   POST /topics/NAME/reset-loudness  restart integrated loudness, range and maxima
//   anything else: a file of the web page (StaticSite), or 404.
// route() is called from every worker at once; the object is immutable after construction
// (the topics' states are atomics).
#include <cstdint>
#include <string>

#include "core/metrics.hpp"
#include "net/router.hpp"
#include "push/static_site.hpp"
#include "push/topic.hpp"

namespace levelcast {

struct RouteConfig {
  bool echo_enabled = true;
  uint32_t echo_max_message = 1 << 20;
  uint32_t push_max_message = 4096;  // subscribers only send control frames
  bool allow_reset = false;          // POST /topics/NAME/reset-loudness (--allow-reset)
};

class LevelcastRoutes final : public RequestRouter {
 public:
  LevelcastRoutes(RouteConfig config, const TopicRegistry& topics, const ServerMetrics& metrics,
                  const StaticSite& site)
      : config_(config), topics_(topics), metrics_(metrics), site_(site) {}
  void route(const HttpRequest& request, RouteDecision& decision) override;
  std::string missed_notice(uint32_t channel, uint64_t count) const override;

 private:
  void route_subscription(const HttpRequest& request, const Topic* topic, RouteDecision& d) const;
  void route_events(const HttpRequest& request, const Topic* topic, RouteDecision& d) const;
  void route_loudness_reset(const HttpRequest& request, RouteDecision& d) const;

  RouteConfig config_;
  const TopicRegistry& topics_;
  const ServerMetrics& metrics_;
  const StaticSite& site_;
};

}  // namespace levelcast
