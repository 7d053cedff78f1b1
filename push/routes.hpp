#pragma once
// LevelcastRoutes: what each path of the server does. /levels subscribes to the default topic,
// /echo echoes, /healthz and /metrics answer plain HTTP; any other path is a file of the web
// page (StaticSite), or 404.
// route() is called from every worker at once; the object is immutable after construction.
#include <cstdint>
#include <string>

#include "core/metrics.hpp"
#include "net/router.hpp"
#include "push/static_site.hpp"

namespace levelcast {

struct RouteConfig {
  bool echo_enabled = true;
  uint32_t echo_max_message = 1 << 20;
  uint32_t push_max_message = 4096;  // subscribers only send control frames
  uint32_t default_channel = 0;
};

class LevelcastRoutes final : public RequestRouter {
 public:
  LevelcastRoutes(RouteConfig config, const ServerMetrics& metrics, const StaticSite& site)
      : config_(config), metrics_(metrics), site_(site) {}
  void route(const HttpRequest& request, RouteDecision& decision) override;

 private:
  RouteConfig config_;
  const ServerMetrics& metrics_;
  const StaticSite& site_;
};

}  // namespace levelcast
