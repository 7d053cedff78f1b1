#pragma once
// RequestRouter: the application's side of a worker. For each complete request head the worker
// asks the router what to do: answer with a plain response, or upgrade to WebSocket as an echo
// peer or as a subscriber of a broadcast channel, or stream a channel as Server-Sent Events.
// Called on worker threads, concurrently from
// every worker: implementations must be safe from any thread.
#include <cstdint>
#include <string>

#include "core/shared_frame.hpp"
#include "net/http_request.hpp"

namespace levelcast {

struct RouteDecision {
  enum class Action : uint8_t { respond, upgrade_echo, upgrade_subscribe, stream_subscribe };
  Action action = Action::respond;
  int status = 404;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // Instead of `body`: a shared immutable buffer (a static file), referenced by the response
  // rather than copied into it; and for HEAD, the length of the body left out.
  FrameRef shared_body;
  size_t content_length = 0;
  std::string extra_headers;  // whole lines, each ending "\r\n"; also sent with a 101
  bool head_only = false;     // a HEAD request: the headers of the response, not its body
  uint32_t channel = 0;       // for upgrade_subscribe and stream_subscribe
  uint32_t deflate_channel = 0;  // upgrade_subscribe: the channel when permessage-deflate is on
  uint32_t max_message = 4096;  // largest client message accepted after the upgrade
  bool resume = false;        // ?since= given: replay the history after `since` first
  uint64_t since = 0;
  bool admin_listener = false;  // in: the request came through the --admin-bind listener
  uint32_t token_expiry = 0;    // Unix seconds when the bearer's token expires; 0: never
};

class RequestRouter {
 public:
  virtual ~RequestRouter() = default;
  virtual void route(const HttpRequest& request, RouteDecision& decision) = 0;
  // True for the routes that answer even over a connection limit (health and metrics), so that
  // a full server can still be monitored.
  virtual bool exempt_from_limits(const HttpRequest&) const { return false; }
  // The bytes telling a resuming subscriber of `channel` that `count` snapshots are no longer
  // held, ready to write in that channel's form (a WebSocket text frame, or an SSE event).
  virtual std::string missed_notice(uint32_t channel, uint64_t count) const = 0;
};

}  // namespace levelcast
