#include "push/cluster/redis_endpoint.hpp"

#include <gtest/gtest.h>

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
  EXPECT_EQ(error, "expected redis://HOST:PORT[/DB] or unix:///path/to/redis.sock");
  EXPECT_FALSE(parse_redis_endpoint("redis://h:0", error));
  EXPECT_EQ(error, "the port must be a number from 1 to 65535");
  EXPECT_FALSE(parse_redis_endpoint("redis://h:1/16", error));
  EXPECT_EQ(error, "the database after / must be a number from 0 to 15");
  EXPECT_FALSE(parse_redis_endpoint("redis://:6379", error));
  EXPECT_EQ(error, "no host");
  EXPECT_FALSE(parse_redis_endpoint("unix://relative.sock", error));
  EXPECT_FALSE(parse_redis_endpoint("redis://[::1", error));
}

}  // namespace
}  // namespace levelcast
