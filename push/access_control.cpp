#include "push/access_control.hpp"

#include <algorithm>
#include <limits>

namespace levelcast {
namespace {
constexpr std::string_view kCookieName = "levelcast_token";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls `visit` with each trimmed element of a `separator`-separated list until it returns true.
template <typename Visit>
bool any_element(std::string_view list, char separator, Visit visit) {
  while (true) {
    const size_t end = list.find(separator);
    if (visit(trim(list.substr(0, end)))) return true;
    if (end == std::string_view::npos) return false;
    list.remove_prefix(end + 1);
  }
}

std::string_view from_authorization(const HttpRequest& request) {
  const std::string_view* value = request.header("Authorization");
  if (value == nullptr || value->size() < 7 || !iequals(value->substr(0, 7), "Bearer ")) return {};
  return trim(value->substr(7));
}

std::string_view from_subprotocols(const HttpRequest& request) {
  std::string_view token;
  for (size_t i = 0; i < request.header_count() && token.empty(); ++i) {
    const HttpHeader& h = request.header_at(i);
    if (!iequals(h.name, "Sec-WebSocket-Protocol")) continue;
    any_element(h.value, ',', [&](std::string_view item) {
      if (!item.starts_with(AccessControl::kBearerProtocolPrefix)) return false;
      token = item.substr(AccessControl::kBearerProtocolPrefix.size());
      return true;
    });
  }
  return token;
}

std::string_view from_cookie(const HttpRequest& request) {
  std::string_view token;
  for (size_t i = 0; i < request.header_count() && token.empty(); ++i) {
    const HttpHeader& h = request.header_at(i);
    if (!iequals(h.name, "Cookie")) continue;
    any_element(h.value, ';', [&](std::string_view pair) {
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos || trim(pair.substr(0, eq)) != kCookieName) return false;
      token = trim(pair.substr(eq + 1));
      return true;
    });
  }
  return token;
}
}  // namespace

std::string_view find_bearer_token(const HttpRequest& request, bool cookies_allowed) {
  if (const std::string_view t = from_authorization(request); !t.empty()) return t;
  if (const std::string_view t = from_subprotocols(request); !t.empty()) return t;
  if (cookies_allowed) {
    if (const std::string_view t = from_cookie(request); !t.empty()) return t;
  }
  std::string_view t;
  request.query_param("access_token", t);
  return t;
}

bool offers_subprotocol(const HttpRequest& request, std::string_view name) {
  for (size_t i = 0; i < request.header_count(); ++i) {
    const HttpHeader& h = request.header_at(i);
    if (iequals(h.name, "Sec-WebSocket-Protocol") &&
        any_element(h.value, ',', [&](std::string_view item) { return item == name; })) {
      return true;
    }
  }
  return false;
}

bool AccessControl::origin_allowed(const HttpRequest& request) const {
  return config_.origins.allows(request.header("Origin"));
}

std::string AccessControl::cors_headers(const HttpRequest& request) const {
  const std::string_view* origin = request.header("Origin");
  if (config_.origins.empty() || origin == nullptr) return "Access-Control-Allow-Origin: *\r\n";
  return "Access-Control-Allow-Origin: " + std::string(*origin) + "\r\nVary: Origin\r\n";
}

// A cookie rides along with any request a browser makes, whichever page asked: it counts only
// when an origin list exists and the request comes from a listed origin.
bool AccessControl::cookies_allowed(const HttpRequest& request) const {
  const std::string_view* origin = request.header("Origin");
  return !config_.origins.empty() && origin != nullptr && config_.origins.listed(*origin);
}

AccessVerdict AccessControl::authenticate(const HttpRequest& request, int64_t now_s) const {
  AccessVerdict verdict;
  const std::string_view token = find_bearer_token(request, cookies_allowed(request));
  if (token.empty()) {
    verdict.status = 401;
    verdict.reason = "a bearer token is required";
    verdict.challenge = "WWW-Authenticate: Bearer realm=\"levelcast\"\r\n";
    return verdict;
  }
  const JwtError error = verify_jwt(token, config_.keys, config_.policy, now_s, verdict.claims);
  if (error != JwtError::none) {
    verdict.status = 401;
    verdict.reason = describe(error);
    verdict.challenge = "WWW-Authenticate: Bearer realm=\"levelcast\", error=\"invalid_token\"\r\n";
  }
  return verdict;
}

uint32_t AccessControl::expiry_of(const JwtClaims& claims) const {
  const int64_t at = claims.expires_at + config_.policy.leeway_s;
  return static_cast<uint32_t>(std::clamp<int64_t>(at, 1, std::numeric_limits<uint32_t>::max()));
}

}  // namespace levelcast
