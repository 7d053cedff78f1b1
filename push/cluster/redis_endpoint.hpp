#pragma once
// RedisEndpoint: where the cluster's Redis is, from --cluster: `redis://HOST:PORT[/DB]` (TCP;
// HOST a name or an IPv4/IPv6 address, [::1] bracketed) or `unix:///path/to/redis.sock`. Plain
// data; parse_redis_endpoint() is pure.
#include <optional>
#include <string>
#include <string_view>

namespace levelcast {

struct RedisEndpoint {
  std::string host;       // empty for a Unix socket
  int port = 6379;
  std::string unix_path;  // empty for TCP
  int db = 0;

  bool is_unix() const { return !unix_path.empty(); }
  std::string describe() const;  // for log lines: "redis://127.0.0.1:6379/0"
};

// nullopt with `error` naming what is wrong.
std::optional<RedisEndpoint> parse_redis_endpoint(std::string_view text, std::string& error);

}  // namespace levelcast
