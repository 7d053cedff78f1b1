#pragma once
// LevelcastRoutes: what each path of the server does.
//   /levels[/NAME][?format=json|binary][&since=SEQ]  subscribe to a topic (default: the first)
//   /events[/NAME][?since=SEQ]  the same as Server-Sent Events (Last-Event-ID resumes too)
//   /topics  the topics as JSON       /echo  echo peer       /healthz, /metrics
//   POST /topics/NAME/reset-loudness  restart integrated loudness, range and maxima
//   anything else: a file of the web page (StaticSite), or 404.
// With an admin listener, /healthz and /metrics are served there only, and nothing else is.
// Access (AccessControl): a listed origin for the WebSocket routes (else 403), then a valid
// token for /levels* and /topics when keys are set (else 401), then a topic the token grants
// (else 403); an unknown topic stays 404.
// route() is called from every worker at once; the object is immutable after construction
// (the topics' states are atomics).
#include <cstdint>
#include <string>

#include "core/metrics.hpp"
#include "net/router.hpp"
#include "push/access_control.hpp"
#include "push/static_site.hpp"
#include "push/topic.hpp"

namespace levelcast {

struct RouteConfig {
  bool echo_enabled = true;
  uint32_t echo_max_message = 1 << 20;
  uint32_t push_max_message = 4096;  // subscribers only send control frames
  bool allow_reset = false;          // POST /topics/NAME/reset-loudness (--allow-reset)
  bool admin_listener = false;       // --admin-bind given: /healthz and /metrics live there
};

class LevelcastRoutes final : public RequestRouter {
 public:
  LevelcastRoutes(RouteConfig config, const TopicRegistry& topics, const ServerMetrics& metrics,
                  const StaticSite& site, const AccessControl& access)
      : config_(config), topics_(topics), metrics_(metrics), site_(site), access_(access) {}
  void route(const HttpRequest& request, RouteDecision& decision) override;
  bool exempt_from_limits(const HttpRequest& request) const override;
  std::string missed_notice(uint32_t channel, uint64_t count) const override;

 private:
  void route_subscription(const HttpRequest& request, const Topic* topic, RouteDecision& d) const;
  void route_events(const HttpRequest& request, const Topic* topic, RouteDecision& d) const;
  void route_loudness_reset(const HttpRequest& request, RouteDecision& d) const;
  // Origin and token checks; false when `d` now holds the refusal.
  bool admit(const HttpRequest& request, std::string_view path, AccessVerdict& verdict,
             RouteDecision& d) const;

  RouteConfig config_;
  const TopicRegistry& topics_;
  const ServerMetrics& metrics_;
  const StaticSite& site_;
  const AccessControl& access_;
};

}  // namespace levelcast
