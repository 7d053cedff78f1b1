#include "push/routes.hpp"

#include <charconv>

#include "push/metrics_page.hpp"
#include "push/snapshot_json.hpp"

namespace levelcast {
namespace {
void respond(RouteDecision& d, int status, std::string body,
             std::string content_type = "text/plain; charset=utf-8") {
  d.action = RouteDecision::Action::respond;
  d.status = status;
  d.body = std::move(body);
  d.content_type = std::move(content_type);
}

bool parse_seq(std::string_view text, uint64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

constexpr std::string_view kLevelsPrefix = "/levels/";
}  // namespace

void LevelcastRoutes::route(const HttpRequest& request, RouteDecision& d) {
  const std::string_view path = request.path;
  const bool is_levels = path == "/levels" || path.starts_with(kLevelsPrefix);
  const bool known = is_levels || path == "/topics" || path == "/healthz" || path == "/metrics" ||
                     (path == "/echo" && config_.echo_enabled);
  if (!known) {
    site_.serve(request, d);  // 404 unless the web page has such a file
    return;
  }
  const Topic* topic = topics_.default_topic();
  if (path.starts_with(kLevelsPrefix)) topic = topics_.find(path.substr(kLevelsPrefix.size()));
  if (topic == nullptr && is_levels) return respond(d, 404, "Not Found: no such topic\n");
  // HEAD is a GET without the body, for the plain HTTP routes; WebSocket routes take GET only.
  const bool plain_http = path == "/topics" || path == "/healthz" || path == "/metrics";
  d.head_only = request.method == "HEAD" && plain_http;
  if (request.method != "GET" && !d.head_only) {
    respond(d, 405, "Method Not Allowed: only GET\n");
    d.extra_headers = plain_http ? "Allow: GET, HEAD\r\n" : "Allow: GET\r\n";
    return;
  }
  if (is_levels) {
    route_subscription(request, topic, d);
  } else if (path == "/echo") {
    d.action = RouteDecision::Action::upgrade_echo;
    d.max_message = config_.echo_max_message;
  } else if (path == "/healthz") {
    respond(d, 200, "ok");
  } else if (path == "/topics") {
    respond(d, 200, topics_.to_json(metrics_), "application/json");
  } else {
    respond(d, 200, render_metrics(metrics_), "text/plain; version=0.0.4; charset=utf-8");
  }
}

void LevelcastRoutes::route_subscription(const HttpRequest& request, const Topic* topic,
                                         RouteDecision& d) const {
  Format format = Format::json;
  std::string_view value;
  if (request.query_param("format", value) && value != "json") {
    if (value != "binary") return respond(d, 400, "Bad Request: format must be json or binary\n");
    if (!topic->has_binary) return respond(d, 400, "Bad Request: this topic has no binary format\n");
    format = Format::binary;
  }
  if (request.query_param("since", value)) {
    if (!parse_seq(value, d.since)) return respond(d, 400, "Bad Request: since must be a number\n");
    d.resume = true;
  }
  d.action = RouteDecision::Action::upgrade_subscribe;
  d.channel = topic->channel(format);
  d.max_message = config_.push_max_message;
}

std::string LevelcastRoutes::missed_message(uint32_t channel, uint64_t count) const {
  std::string out;
  append_missed_json(out, topics_.for_channel(channel).name, count);
  return out;
}

}  // namespace levelcast
