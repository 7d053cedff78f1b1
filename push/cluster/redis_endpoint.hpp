#pragma once
// RedisEndpoint: where the cluster's Redis is and how to log in, from --cluster:
//   redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]   (TCP; HOST a name or address, [::1] bracketed)
//   unix://[[USER]:PASSWORD@]/path/to/redis.sock[?db=N]
// A PASSWORD alone (no colon) is a password too, as redis-cli -u reads it. USER and PASSWORD may
// carry %XX escapes (for @ : / % in them). Plain data; the parsers are pure.
#include <optional>
#include <string>
#include <string_view>

namespace levelcast {

struct RedisEndpoint {
  std::string host;       // empty for a Unix socket
  int port = 6379;
  std::string unix_path;  // empty for TCP
  int db = 0;
  std::string user;       // empty: AUTH PASSWORD (the default user)
  std::string password;   // empty: no AUTH

  bool is_unix() const { return !unix_path.empty(); }
  // For log lines, never with the password: "redis://127.0.0.1:6379/0", "redis://alice@...".
  std::string describe() const;
};

// nullopt with `error` naming what is wrong.
std::optional<RedisEndpoint> parse_redis_endpoint(std::string_view text, std::string& error);

// `text` with the password of its user information replaced by REDACTED (for --print-config);
// anything that is not such a URL is returned unchanged.
std::string redact_redis_url(std::string_view text);

}  // namespace levelcast
