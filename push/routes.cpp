#include "push/routes.hpp"

#include <fmt/format.h>

#include <charconv>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "net/sse.hpp"
#include "net/ws_frame.hpp"
#include "push/auth/topic_grant.hpp"
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
constexpr std::string_view kEventsPrefix = "/events/";
constexpr std::string_view kTopicsPrefix = "/topics/";
constexpr std::string_view kResetSuffix = "/reset-loudness";

bool is_operations(std::string_view path) { return path == "/healthz" || path == "/metrics"; }
// The routes that stream a topic: WebSocket or Server-Sent Events.
bool is_topic_stream(std::string_view path) {
  return path == "/levels" || path.starts_with(kLevelsPrefix) || path == "/events" ||
         path.starts_with(kEventsPrefix);
}
}  // namespace

bool LevelcastRoutes::exempt_from_limits(const HttpRequest& request) const {
  return is_operations(request.path);
}

bool LevelcastRoutes::admit(const HttpRequest& request, std::string_view path,
                            AccessVerdict& verdict, RouteDecision& d) const {
  const bool streams = is_topic_stream(path);
  if ((streams || path == "/echo") && !access_.origin_allowed(request)) {
    LC_LOG(debug, "refused {}: origin not allowed", path);
    respond(d, 403, "Forbidden: origin not allowed\n");
    return false;
  }
  if (!access_.requires_token() || !(streams || path == "/topics")) return true;
  verdict = access_.authenticate(request, wall_micros() / 1'000'000);
  if (verdict.status == 0) return true;
  // The path only: the query may hold the token itself (?access_token=).
  LC_LOG(debug, "refused {}: {}", path, verdict.reason);
  respond(d, verdict.status, fmt::format("Unauthorized: {}\n", verdict.reason));
  d.extra_headers = std::string(verdict.challenge);
  return false;
}

// POST /topics/NAME/reset-loudness: the request reaches the topic's producer through an atomic
// count, so no worker waits for it; the producer announces the reset to the subscribers.
void LevelcastRoutes::route_loudness_reset(const HttpRequest& request, RouteDecision& d) const {
  const std::string_view path = request.path;
  const std::string_view name =
      path.substr(kTopicsPrefix.size(), path.size() - kTopicsPrefix.size() - kResetSuffix.size());
  const Topic* topic = topics_.find(name);
  if (topic == nullptr) return respond(d, 404, "Not Found: no such topic\n");
  if (request.method != "POST") {
    respond(d, 405, "Method Not Allowed: only POST\n");
    d.extra_headers = "Allow: POST\r\n";
    return;
  }
  if (access_.requires_token()) {
    // With access control, the token decides: one whose topics cover this one may reset it.
    const AccessVerdict verdict = access_.authenticate(request, wall_micros() / 1'000'000);
    if (verdict.status != 0) {
      respond(d, verdict.status, fmt::format("Unauthorized: {}\n", verdict.reason));
      d.extra_headers = std::string(verdict.challenge);
      return;
    }
    if (!grants_topic(verdict.claims.topics, topic->name)) {
      return respond(d, 403, "Forbidden: the token does not cover this topic\n");
    }
  } else if (!config_.allow_reset) {
    return respond(d, 403, "Forbidden: loudness resets are off (--allow-reset)\n");
  }
  if (!topic->loudness_resettable)
    return respond(d, 404, "Not Found: this topic measures no integrated loudness, range or maxima\n");
  topic->loudness_resets_requested.fetch_add(1, std::memory_order_relaxed);
  respond(d, 204, "");
}

void LevelcastRoutes::route(const HttpRequest& request, RouteDecision& d) {
  const std::string_view path = request.path;
  if (config_.admin_listener && is_operations(path) != d.admin_listener) {
    return respond(d, 404, "Not Found\n");
  }
  if (path.size() > kTopicsPrefix.size() + kResetSuffix.size() && path.starts_with(kTopicsPrefix) &&
      path.ends_with(kResetSuffix))
    return route_loudness_reset(request, d);
  const bool is_levels = path == "/levels" || path.starts_with(kLevelsPrefix);
  const bool is_events = path == "/events" || path.starts_with(kEventsPrefix);
  const bool known = is_levels || is_events || path == "/topics" || is_operations(path) ||
                     (path == "/echo" && config_.echo_enabled);
  if (!known) {
    site_.serve(request, d);  // 404 unless the web page has such a file
    return;
  }
  AccessVerdict verdict;
  if (!admit(request, path, verdict, d)) return;
  const Topic* topic = topics_.default_topic();
  if (path.starts_with(kLevelsPrefix)) topic = topics_.find(path.substr(kLevelsPrefix.size()));
  if (path.starts_with(kEventsPrefix)) topic = topics_.find(path.substr(kEventsPrefix.size()));
  if (topic == nullptr && (is_levels || is_events)) return respond(d, 404, "Not Found: no such topic\n");
  // HEAD is a GET without the body, for the plain HTTP routes; WebSocket routes take GET only.
  const bool plain_http = path == "/topics" || path == "/healthz" || path == "/metrics";
  d.head_only = request.method == "HEAD" && plain_http;
  if (request.method != "GET" && !d.head_only) {
    respond(d, 405, "Method Not Allowed: only GET\n");
    d.extra_headers = plain_http ? "Allow: GET, HEAD\r\n" : "Allow: GET\r\n";
    return;
  }
  if (is_topic_stream(path) && access_.requires_token() &&
      !grants_topic(verdict.claims.topics, topic->name)) {
    return respond(d, 403, "Forbidden: the token does not cover this topic\n");
  }
  if (is_levels) {
    route_subscription(request, topic, d);
    if (access_.requires_token()) d.token_expiry = access_.expiry_of(verdict.claims);
  } else if (is_events) {
    route_events(request, topic, d);
    if (access_.requires_token()) d.token_expiry = access_.expiry_of(verdict.claims);
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
  // Browsers list levelcast.v1 next to the bearer "protocol"; only levelcast.v1 is answered.
  if (d.action != RouteDecision::Action::respond &&
      offers_subprotocol(request, AccessControl::kSubprotocol)) {
    d.extra_headers = fmt::format("Sec-WebSocket-Protocol: {}\r\n", AccessControl::kSubprotocol);
  }
}

void LevelcastRoutes::route_subscription(const HttpRequest& request, const Topic* topic,
                                         RouteDecision& d) const {
  std::string_view value;
  const bool has_format = request.query_param("format", value);
  Format format = Format::json;
  if (!topic->has_binary) {
    // A lines topic: the lines as they are (text, the default), or as JSON objects with their
    // seq (json), which the topic carries on its second channel.
    if (has_format && value != "text" && value != "json")
      return respond(d, 400, "Bad Request: a lines topic's format is text or json\n");
    if (has_format && value == "json") format = Format::binary;
  } else if (has_format && value != "json") {
    if (value != "binary") return respond(d, 400, "Bad Request: format must be json or binary\n");
    format = Format::binary;
  }
  if (request.query_param("since", value)) {
    if (!parse_seq(value, d.since)) return respond(d, 400, "Bad Request: since must be a number\n");
    d.resume = true;
  }
  d.action = RouteDecision::Action::upgrade_subscribe;
  d.channel = topic->channel(format);
  d.deflate_channel = topic->channel(deflated(format));
  d.max_message = config_.push_max_message;
}

// Server-Sent Events: a browser's EventSource resends the last id it saw as Last-Event-ID when
// it reconnects; ?since= means the same for other clients. An ended topic answers 204, which
// tells a browser to stop reconnecting.
void LevelcastRoutes::route_events(const HttpRequest& request, const Topic* topic,
                                   RouteDecision& d) const {
  std::string_view value;
  const std::string_view* last_id = request.header("Last-Event-ID");
  if (request.query_param("since", value) || last_id != nullptr) {
    if (last_id != nullptr) value = *last_id;
    if (!parse_seq(value, d.since)) {
      return respond(d, 400, "Bad Request: since and Last-Event-ID must be a number\n");
    }
    d.resume = true;
  }
  if (topic->ended.load(std::memory_order_relaxed)) return respond(d, 204, "");
  d.action = RouteDecision::Action::stream_subscribe;
  d.channel = topic->channel(Format::sse);
  d.content_type = "text/event-stream";
  // The data is the WebSocket's: the same pages may read it (any, without an origin list).
  d.extra_headers = access_.cors_headers(request);
}

std::string LevelcastRoutes::missed_notice(uint32_t channel, uint64_t count) const {
  std::string json;
  append_missed_json(json, topics_.for_channel(channel).name, count);
  if (TopicRegistry::form_of(channel) != Format::sse) {
    std::string frame;
    append_frame(frame, Opcode::text, as_bytes(json));
    return frame;
  }
  std::string event;
  append_sse_event(event, 0, "missed", json);
  return event;
}

}  // namespace levelcast
