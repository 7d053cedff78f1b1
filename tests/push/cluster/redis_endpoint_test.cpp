#include "push/cluster/redis_endpoint.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <utility>

namespace levelcast {
namespace {

TEST(RedisEndpoint, TcpWithPortAndDatabase) {
  std::string error;
  const auto e = parse_redis_endpoint("redis://127.0.0.1:6380/3", error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->db, 3);
  EXPECT_FALSE(e->is_unix());
  EXPECT_EQ(e->describe(), "redis://127.0.0.1:6380/3");
}

TEST(RedisEndpoint, DefaultsAndIpv6) {
  std::string error;
  EXPECT_EQ(parse_redis_endpoint("redis://localhost", error)->port, 6379);
  const auto v6 = parse_redis_endpoint("redis://[::1]:7000", error);
  ASSERT_TRUE(v6) << error;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 7000);
  EXPECT_EQ(v6->describe(), "redis://[::1]:7000/0");
}

TEST(RedisEndpoint, UnixSocket) {
  std::string error;
  const auto e = parse_redis_endpoint("unix:///run/redis/redis.sock", error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->unix_path, "/run/redis/redis.sock");
  EXPECT_EQ(e->describe(), "unix:///run/redis/redis.sock");
}

TEST(RedisEndpoint, ErrorsSayWhat) {
  std::string error;
  EXPECT_FALSE(parse_redis_endpoint("http://x", error));
  EXPECT_EQ(error,
            "expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or "
            "unix://[[USER]:PASSWORD@]/path/to/redis.sock[?db=N]");
  EXPECT_FALSE(parse_redis_endpoint("redis://h:0", error));
  EXPECT_EQ(error, "the port must be a number from 1 to 65535");
  EXPECT_FALSE(parse_redis_endpoint("redis://h:1/16", error));
  EXPECT_EQ(error, "the database after / must be a number from 0 to 15");
  EXPECT_FALSE(parse_redis_endpoint("redis://:6379", error));
  EXPECT_EQ(error, "no host");
  EXPECT_FALSE(parse_redis_endpoint("unix://relative.sock", error));
  EXPECT_FALSE(parse_redis_endpoint("redis://[::1", error));
  EXPECT_FALSE(parse_redis_endpoint("redis://:@h", error));
  EXPECT_EQ(error, "an empty password before @");
  EXPECT_FALSE(parse_redis_endpoint("redis://:p%4@h", error));
  EXPECT_EQ(error, "a % in the user or password must start a %XX escape");
  EXPECT_FALSE(parse_redis_endpoint("unix:///s.sock?db=16", error));
  EXPECT_EQ(error, "after the socket's path only ?db=N, N from 0 to 15");
  EXPECT_FALSE(parse_redis_endpoint("unix:///s.sock?x=1", error));
}

TEST(RedisEndpoint, PasswordAloneOrAfterAnEmptyUser) {
  std::string error;
  for (const char* url : {"redis://s3cret@h:7000/2", "redis://:s3cret@h:7000/2"}) {
    const auto e = parse_redis_endpoint(url, error);
    ASSERT_TRUE(e) << url << ": " << error;
    EXPECT_EQ(e->user, "");
    EXPECT_EQ(e->password, "s3cret");
    EXPECT_EQ(e->host, "h");
    EXPECT_EQ(e->port, 7000);
    EXPECT_EQ(e->db, 2);
    EXPECT_EQ(e->describe(), "redis://h:7000/2");  // never the password
  }
}

TEST(RedisEndpoint, UserPasswordAndEscapes) {
  std::string error;
  const auto e = parse_redis_endpoint("redis://alice:p%40ss:w@rd/@[::1]:7000", error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->user, "alice");
  EXPECT_EQ(e->password, "p@ss:w@rd/");  // escaped or not, @ and / before the last @ are its own
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->describe(), "redis://alice@[::1]:7000/0");
}

TEST(RedisEndpoint, UnixSocketWithPasswordAndDatabase) {
  std::string error;
  const auto e = parse_redis_endpoint("unix://bob:pw@/run/redis/redis.sock?db=4", error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->user, "bob");
  EXPECT_EQ(e->password, "pw");
  EXPECT_EQ(e->unix_path, "/run/redis/redis.sock");
  EXPECT_EQ(e->db, 4);
  EXPECT_EQ(e->describe(), "unix://bob@/run/redis/redis.sock?db=4");
  const auto plain = parse_redis_endpoint("unix:///run/r@/x.sock", error);  // no user information
  ASSERT_TRUE(plain) << error;
  EXPECT_EQ(plain->unix_path, "/run/r@/x.sock");
  EXPECT_EQ(plain->password, "");
}

TEST(RedisEndpoint, RedactHidesOnlyThePassword) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"redis://alice:secret@h:1/2\"", "redis://alice:REDACTED@h:1/2\""},  // as --print-config quotes it
      {"redis://secret@h", "redis://REDACTED@h"},
      {"redis://:se@cret@h", "redis://:REDACTED@h"},
      {"unix://u:secret@/r.sock", "unix://u:REDACTED@/r.sock"},
      {"redis://h:1", "redis://h:1"},
      {"unix:///r@/x.sock", "unix:///r@/x.sock"},
      {"nonsense@x", "nonsense@x"},
  };
  for (const auto& [url, redacted] : cases) EXPECT_EQ(redact_redis_url(url), redacted) << url;
}

}  // namespace
}  // namespace levelcast
