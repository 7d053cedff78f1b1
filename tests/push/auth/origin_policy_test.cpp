#include "push/auth/origin_policy.hpp"

#include <gtest/gtest.h>

#include "push/auth/topic_grant.hpp"

namespace levelcast {
namespace {

OriginPolicy policy(std::initializer_list<std::string_view> patterns) {
  OriginPolicy p;
  std::string error;
  for (auto pattern : patterns) EXPECT_TRUE(p.add(pattern, error)) << error;
  return p;
}

bool allows(const OriginPolicy& p, std::string_view origin) { return p.allows(&origin); }

TEST(OriginPolicyTest, WithoutAListEverythingPasses) {
  const OriginPolicy p;
  EXPECT_TRUE(allows(p, "https://evil.example"));
  EXPECT_TRUE(p.allows(nullptr));
}

TEST(OriginPolicyTest, MatchesSchemeHostAndPortLowercased) {
  const auto p = policy({"https://Studio.example.com", "http://127.0.0.1:8080"});
  EXPECT_TRUE(allows(p, "https://studio.EXAMPLE.com"));
  EXPECT_TRUE(allows(p, "http://127.0.0.1:8080"));
  EXPECT_FALSE(allows(p, "http://studio.example.com"));
  EXPECT_FALSE(allows(p, "https://studio.example.com:8443"));
  EXPECT_FALSE(allows(p, "http://127.0.0.1:8081"));
  EXPECT_FALSE(allows(p, "https://studio.example.com.evil.net"));
  EXPECT_TRUE(p.allows(nullptr));  // a program, not a browser
}

TEST(OriginPolicyTest, StarIsOneHostLabel) {
  const auto p = policy({"https://*.example.com"});
  EXPECT_TRUE(allows(p, "https://a.example.com"));
  EXPECT_FALSE(allows(p, "https://example.com"));
  EXPECT_FALSE(allows(p, "https://a.b.example.com"));
  EXPECT_FALSE(allows(p, "https://aexample.com"));
}

TEST(OriginPolicyTest, NullOnlyWhenListed) {
  EXPECT_FALSE(allows(policy({"https://a.example"}), "null"));
  EXPECT_TRUE(allows(policy({"null"}), "null"));
  EXPECT_FALSE(allows(policy({"null"}), "https://a.example"));
}

TEST(OriginPolicyTest, RefusesMalformedPatterns) {
  OriginPolicy p;
  std::string error;
  EXPECT_FALSE(p.add("example.com", error));
  EXPECT_FALSE(p.add("https://example.com/path", error));
  EXPECT_FALSE(p.add("https://example.com:port", error));
  EXPECT_TRUE(p.add("http://[::1]:8080", error));
}

TEST(TopicGrantTest, NamesAndGlobs) {
  const std::vector<std::string> granted{"mic", "cam*"};
  EXPECT_TRUE(grants_topic(granted, "mic"));
  EXPECT_TRUE(grants_topic(granted, "cam"));
  EXPECT_TRUE(grants_topic(granted, "camera2"));
  EXPECT_FALSE(grants_topic(granted, "mic2"));
  EXPECT_FALSE(grants_topic({}, "mic"));
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(glob_match("a*b*c", "axxbyy"));
  EXPECT_TRUE(glob_match(std::string(30, '*') + "b", std::string(1000, 'a') + "b"));
}

}  // namespace
}  // namespace levelcast
