#include "push/cluster/redis_endpoint.hpp"

#include <fmt/format.h>

#include <charconv>

namespace levelcast {
namespace {

std::optional<int> parse_number(std::string_view text, int min, int max) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
    return std::nullopt;
  return value;
}

std::optional<RedisEndpoint> parse_tcp(std::string_view rest, std::string& error) {
  RedisEndpoint endpoint;
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    const auto db = parse_number(rest.substr(slash + 1), 0, 15);
    if (!db) return error = "the database after / must be a number from 0 to 15", std::nullopt;
    endpoint.db = *db;
    rest = rest.substr(0, slash);
  }
  size_t colon = rest.rfind(':');
  if (rest.starts_with('[')) {  // [IPv6]:PORT
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return error = "an IPv6 address needs its closing ]", std::nullopt;
    endpoint.host = std::string(rest.substr(1, close - 1));
    colon = close + 1 < rest.size() && rest[close + 1] == ':' ? close + 1 : std::string_view::npos;
  } else {
    endpoint.host = std::string(rest.substr(0, colon));
  }
  if (colon != std::string_view::npos) {
    const auto port = parse_number(rest.substr(colon + 1), 1, 65535);
    if (!port) return error = "the port must be a number from 1 to 65535", std::nullopt;
    endpoint.port = *port;
  }
  if (endpoint.host.empty()) return error = "no host", std::nullopt;
  return endpoint;
}

}  // namespace

std::string RedisEndpoint::describe() const {
  if (is_unix()) return "unix://" + unix_path;
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("redis://{}{}{}:{}/{}", v6 ? "[" : "", host, v6 ? "]" : "", port, db);
}

std::optional<RedisEndpoint> parse_redis_endpoint(std::string_view text, std::string& error) {
  constexpr std::string_view kTcp = "redis://";
  constexpr std::string_view kUnix = "unix://";
  if (text.starts_with(kTcp)) return parse_tcp(text.substr(kTcp.size()), error);
  if (text.starts_with(kUnix)) {
    RedisEndpoint endpoint;
    endpoint.unix_path = std::string(text.substr(kUnix.size()));
    if (!endpoint.unix_path.starts_with('/')) return error = "a Unix socket needs an absolute path", std::nullopt;
    return endpoint;
  }
  error = "expected redis://HOST:PORT[/DB] or unix:///path/to/redis.sock";
  return std::nullopt;
}

}  // namespace levelcast
