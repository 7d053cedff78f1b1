#include "push/cluster/redis_endpoint.hpp"

#include <fmt/format.h>

#include <charconv>

namespace levelcast {
namespace {

constexpr std::string_view kTcp = "redis://";
constexpr std::string_view kUnix = "unix://";
constexpr std::string_view kUsage =
    "expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or unix://[[USER]:PASSWORD@]/path/to/redis.sock[?db=N]";

std::optional<int> parse_number(std::string_view text, int min, int max) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
    return std::nullopt;
  return value;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    unsigned value = 0;
    const char* begin = text.data() + i + 1;
    if (i + 2 >= text.size() || std::from_chars(begin, begin + 2, value, 16).ptr != begin + 2) return std::nullopt;
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

// Where the user information ends (at its '@') in what follows the scheme, or npos. For TCP the
// last '@' (a raw '@' or '/' in a password still works); for a socket the '@' before the path.
size_t userinfo_end(std::string_view rest, bool unix_socket) {
  if (!unix_socket) return rest.rfind('@');
  return rest.starts_with('/') ? std::string_view::npos : rest.find("@/");
}

// Takes "[USER]:PASSWORD@" or "PASSWORD@" off the front of `rest`.
bool take_userinfo(std::string_view& rest, bool unix_socket, RedisEndpoint& endpoint, std::string& error) {
  const size_t at = userinfo_end(rest, unix_socket);
  if (at == std::string_view::npos) return true;
  const std::string_view info = rest.substr(0, at);
  rest.remove_prefix(at + 1);
  const size_t colon = info.find(':');
  const auto user = percent_decode(colon == std::string_view::npos ? std::string_view() : info.substr(0, colon));
  const auto password = percent_decode(colon == std::string_view::npos ? info : info.substr(colon + 1));
  if (!user || !password) return error = "a % in the user or password must start a %XX escape", false;
  if (password->empty()) return error = "an empty password before @", false;
  endpoint.user = *user;
  endpoint.password = *password;
  return true;
}

std::optional<RedisEndpoint> parse_tcp(std::string_view rest, std::string& error) {
  RedisEndpoint endpoint;
  if (!take_userinfo(rest, false, endpoint, error)) return std::nullopt;
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

std::optional<RedisEndpoint> parse_unix(std::string_view rest, std::string& error) {
  RedisEndpoint endpoint;
  if (!take_userinfo(rest, true, endpoint, error)) return std::nullopt;
  if (const size_t query = rest.find('?'); query != std::string_view::npos) {
    constexpr std::string_view kDb = "db=";
    const std::string_view value = rest.substr(query + 1);
    const auto db = value.starts_with(kDb) ? parse_number(value.substr(kDb.size()), 0, 15) : std::nullopt;
    if (!db) return error = "after the socket's path only ?db=N, N from 0 to 15", std::nullopt;
    endpoint.db = *db;
    rest = rest.substr(0, query);
  }
  endpoint.unix_path = std::string(rest);
  if (!endpoint.unix_path.starts_with('/')) return error = "a Unix socket needs an absolute path", std::nullopt;
  return endpoint;
}

}  // namespace

std::string RedisEndpoint::describe() const {
  const std::string who = user.empty() ? std::string() : user + "@";
  if (is_unix()) return fmt::format("unix://{}{}{}", who, unix_path, db != 0 ? fmt::format("?db={}", db) : "");
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("redis://{}{}{}{}:{}/{}", who, v6 ? "[" : "", host, v6 ? "]" : "", port, db);
}

std::optional<RedisEndpoint> parse_redis_endpoint(std::string_view text, std::string& error) {
  if (text.starts_with(kTcp)) return parse_tcp(text.substr(kTcp.size()), error);
  if (text.starts_with(kUnix)) return parse_unix(text.substr(kUnix.size()), error);
  error = std::string(kUsage);
  return std::nullopt;
}

std::string redact_redis_url(std::string_view text) {
  const bool tcp = text.starts_with(kTcp);
  if (!tcp && !text.starts_with(kUnix)) return std::string(text);
  const size_t scheme = tcp ? kTcp.size() : kUnix.size();
  const size_t at = userinfo_end(text.substr(scheme), !tcp);
  if (at == std::string_view::npos) return std::string(text);
  const std::string_view info = text.substr(scheme, at);
  const size_t colon = info.find(':');
  const size_t keep = scheme + (colon == std::string_view::npos ? 0 : colon + 1);
  return fmt::format("{}REDACTED{}", text.substr(0, keep), text.substr(scheme + at));
}

}  // namespace levelcast
