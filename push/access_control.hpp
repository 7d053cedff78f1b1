#pragma once
// AccessControl: who may listen. The --allowed-origin list, and when any key is configured, the
// bearer token a request carries: found in the Authorization header, the WebSocket subprotocol
// list, the levelcast_token cookie (only with an origin list, from a listed origin) or the
// access_token query parameter, in that order, and verified once, at the upgrade.
// Built at start-up, then immutable: route() calls it from every worker at once.
#include <cstdint>
#include <string>
#include <string_view>

#include "net/http_request.hpp"
#include "push/auth/jwt_verifier.hpp"
#include "push/auth/origin_policy.hpp"

namespace levelcast {

struct AccessConfig {
  OriginPolicy origins;
  JwtKeys keys;
  JwtPolicy policy;
};

struct AccessVerdict {
  int status = 0;               // 0: let in; 401 (no or bad token)
  std::string_view reason{};    // for the error body
  std::string_view challenge{};  // the WWW-Authenticate line for a 401
  JwtClaims claims;             // the token's, when one was verified
};

class AccessControl {
 public:
  static constexpr std::string_view kSubprotocol = "levelcast.v1";
  static constexpr std::string_view kBearerProtocolPrefix = "levelcast.bearer.";

  AccessControl() = default;
  explicit AccessControl(AccessConfig config) : config_(std::move(config)) {}

  bool origin_allowed(const HttpRequest& request) const;
  // The Access-Control-Allow-Origin line (and Vary) for a stream a page reads cross-origin:
  // the request's own Origin when an allow-list exists (it was checked), else "*".
  std::string cors_headers(const HttpRequest& request) const;
  bool requires_token() const { return !config_.keys.empty(); }
  // Finds the bearer token and verifies it at `now_s` (Unix seconds).
  AccessVerdict authenticate(const HttpRequest& request, int64_t now_s) const;
  // When the connection must be closed with 4001: exp plus the leeway, as Unix seconds.
  uint32_t expiry_of(const JwtClaims& claims) const;

 private:
  bool cookies_allowed(const HttpRequest& request) const;

  AccessConfig config_;
};

// The token, in the order above; empty when there is none. Pure.
std::string_view find_bearer_token(const HttpRequest& request, bool cookies_allowed);
// True when the Sec-WebSocket-Protocol list offers `name`.
bool offers_subprotocol(const HttpRequest& request, std::string_view name);

}  // namespace levelcast
