#include "push/topic.hpp"

#include <gtest/gtest.h>

namespace levelcast {
namespace {

TEST(TopicRegistry, EachTopicGetsAJsonAndABinaryChannel) {
  TopicRegistry topics;
  topics.add("a", "synth");
  const Topic& b = topics.add("b", "pcm");
  EXPECT_EQ(topics.channel_count(), 2 * kFormsPerTopic);
  EXPECT_EQ(b.channel(Format::json), kFormsPerTopic);
  EXPECT_EQ(b.channel(Format::binary), kFormsPerTopic + 1);
  EXPECT_EQ(b.channel(Format::sse), kFormsPerTopic + 2);
  EXPECT_EQ(&topics.for_channel(kFormsPerTopic + 4), &b);
  EXPECT_EQ(TopicRegistry::form_of(b.channel(Format::binary_deflate)), Format::binary_deflate);
  EXPECT_EQ(topics.default_topic()->name, "a");
  EXPECT_EQ(topics.find("b"), &b);
  EXPECT_EQ(topics.find("c"), nullptr);
}

TEST(TopicRegistry, JsonListsStateAndSubscribers) {
  TopicRegistry topics;
  Topic& t = topics.add("mic", "pcm");
  t.rate = 25;
  t.channels = 1;
  t.fields = {"rms", "peak"};
  t.last_seq = 7;
  t.ended = true;
  ServerMetrics metrics(2, 1, topics.channel_count());
  bump(metrics.subscribers(0, t.json_channel), 2);
  bump(metrics.subscribers(1, t.binary_channel), 1);
  EXPECT_EQ(topics.to_json(metrics),
            R"({"default":"mic","topics":[{"name":"mic","kind":"pcm","rate":25,"channels":1,)"
            R"("fields":["rms","peak"],"bands_hz":[],"formats":["json","binary"],)"
            R"("subscribers":3,"last_seq":7,"state":"ended","restarts":0}]})");
}

TEST(TopicRegistry, TopicsAddedAtRunTimeUpToItsCapacity) {
  TopicRegistry topics(2);
  topics.add("local", "synth");
  Topic* remote = topics.add_described("remote", "synth", [&](Topic& t) { t.node = topics.intern_node("B"); });
  ASSERT_NE(remote, nullptr);
  EXPECT_EQ(*remote->node.load(), "B");
  EXPECT_EQ(topics.intern_node("B"), remote->node.load());
  EXPECT_EQ(remote->json_channel, kFormsPerTopic);
  EXPECT_EQ(topics.find("remote"), remote);
  EXPECT_EQ(topics.add_described("third", "synth", [](Topic&) {}), nullptr);
  EXPECT_EQ(topics.size(), 2u);
  EXPECT_EQ(topics.capacity(), 2u);
}

TEST(TopicRegistry, EmptyUntilATopicIsLearned) {
  TopicRegistry topics(4);
  EXPECT_EQ(topics.default_topic(), nullptr);
  ServerMetrics metrics(1, 0, 8);
  EXPECT_EQ(topics.to_json(metrics), R"({"default":"","topics":[]})");
}

}  // namespace
}  // namespace levelcast
