#include "push/routes.hpp"

#include "push/metrics_page.hpp"

namespace levelcast {
namespace {
void respond(RouteDecision& d, int status, std::string body,
             std::string content_type = "text/plain; charset=utf-8") {
  d.action = RouteDecision::Action::respond;
  d.status = status;
  d.body = std::move(body);
  d.content_type = std::move(content_type);
}
}  // namespace

void LevelcastRoutes::route(const HttpRequest& request, RouteDecision& d) {
  const std::string_view path = request.path;
  const bool known = path == "/levels" || path == "/healthz" || path == "/metrics" ||
                     (path == "/echo" && config_.echo_enabled);
  if (!known) {
    site_.serve(request, d);  // 404 unless the web page has such a file
    return;
  }
  if (request.method != "GET") {
    respond(d, 405, "Method Not Allowed: only GET\n");
    d.extra_headers = "Allow: GET\r\n";
    return;
  }
  if (path == "/levels") {
    d.action = RouteDecision::Action::upgrade_subscribe;
    d.channel = config_.default_channel;
    d.max_message = config_.push_max_message;
  } else if (path == "/echo") {
    d.action = RouteDecision::Action::upgrade_echo;
    d.max_message = config_.echo_max_message;
  } else if (path == "/healthz") {
    respond(d, 200, "ok");
  } else {
    respond(d, 200, render_metrics(metrics_), "text/plain; version=0.0.4; charset=utf-8");
  }
}

}  // namespace levelcast
