#include "push/cluster/cluster_wire.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "push/cluster/cluster_lease.hpp"

namespace levelcast {
namespace {

// Replies as Redis sends them, through hiredis's own reader.
RedisReply parse_reply(const std::string& wire) {
  redisReader* reader = redisReaderCreate();
  redisReaderFeed(reader, wire.data(), wire.size());
  void* reply = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader, &reply), REDIS_OK);
  redisReaderFree(reader);
  return RedisReply(static_cast<redisReply*>(reply));
}

// A bulk string as Redis writes it (appended piece by piece: GCC 12 misreads "$" + string).
std::string bulk(std::string_view s) {
  std::string out(1, '$');
  out.append(std::to_string(s.size())).append("\r\n").append(s).append("\r\n");
  return out;
}

TEST(ClusterWire, BatchRoundTrip) {
  std::string message;
  begin_batch(message, "node-1");
  const std::string binary("\x01\x00\xff", 3);
  append_record(message, {RecordType::snapshot, "synth", 7, 42, 1700, R"({"seq":42})", binary});
  append_record(message, {RecordType::heartbeat, "mic", 7, 41, 1800, "running", {}});
  std::string_view node;
  std::vector<ClusterRecord> records;
  ASSERT_TRUE(decode_batch(message, node, records));
  EXPECT_EQ(node, "node-1");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].topic, "synth");
  EXPECT_EQ(records[0].epoch, 7u);
  EXPECT_EQ(records[0].seq, 42u);
  EXPECT_EQ(records[0].ts, 1700);
  EXPECT_EQ(records[0].json, R"({"seq":42})");
  EXPECT_EQ(records[0].binary, binary);
  EXPECT_EQ(records[1].type, RecordType::heartbeat);
  EXPECT_EQ(records[1].json, "running");
}

TEST(ClusterWire, TruncatedOrForeignBatchesAreRefused) {
  std::string message;
  begin_batch(message, "n");
  append_record(message, {RecordType::snapshot, "synth", 1, 1, 1, "{}", {}});
  std::string_view node;
  std::vector<ClusterRecord> records;
  for (size_t cut = 0; cut < message.size(); ++cut)
    EXPECT_TRUE(cut <= 5 || !decode_batch(std::string_view(message).substr(0, cut), node, records)) << cut;
  EXPECT_FALSE(decode_batch("hello", node, records));
  std::string bad_type = message;
  bad_type[5] = 9;
  EXPECT_FALSE(decode_batch(bad_type, node, records));
}

TEST(ClusterWire, StreamEntriesFromAnXrangeReply) {
  const std::string wire = "*2\r\n*2\r\n" + bulk("5-0") + "*8\r\n" + bulk("t") + bulk("99") + bulk("e") + bulk("3") +
                           bulk("j") + bulk("{\"seq\":5}") + bulk("b") + bulk("BIN") + "*2\r\n" + bulk("junk") +
                           "*2\r\n" + bulk("x") + bulk("y");
  const RedisReply reply = parse_reply(wire);
  std::vector<StreamEntry> entries;
  ASSERT_TRUE(read_stream_entries(reply.get(), entries));
  ASSERT_EQ(entries.size(), 1u);  // the second has neither a SEQ-0 id nor a j field
  EXPECT_EQ(entries[0].seq, 5u);
  EXPECT_EQ(entries[0].epoch, 3u);
  EXPECT_EQ(entries[0].ts, 99);
  EXPECT_EQ(entries[0].json, "{\"seq\":5}");
  EXPECT_EQ(entries[0].binary, "BIN");
  EXPECT_FALSE(read_stream_entries(parse_reply(":1\r\n").get(), entries));
}

TEST(ClusterWire, TopicMetaRoundTrip) {
  const TopicMeta meta{"A", "synth", 50, 2, {"rms", "peak"}, {31.5, 63}, true};
  const std::vector<std::string> fields = meta_fields(meta);
  std::string wire(1, '*');
  wire.append(std::to_string(fields.size())).append("\r\n");
  for (const std::string& f : fields) wire += bulk(f);
  const auto read = read_topic_meta(parse_reply(wire).get());
  ASSERT_TRUE(read);
  EXPECT_EQ(read->node, "A");
  EXPECT_EQ(read->kind, "synth");
  EXPECT_EQ(read->rate, 50);
  EXPECT_EQ(read->channels, 2);
  EXPECT_EQ(read->fields, meta.fields);
  EXPECT_EQ(read->bands_hz, meta.bands_hz);
  EXPECT_TRUE(read->has_binary);
  EXPECT_FALSE(read_topic_meta(parse_reply("*0\r\n").get()));
}

TEST(ClusterWire, MessagesLeasesAndNames) {
  const RedisReply message = parse_reply("*3\r\n" + bulk("message") + bulk("lc:live") + bulk("P"));
  const auto payload = read_message_payload(message.get());
  ASSERT_TRUE(payload);
  EXPECT_EQ(*payload, "P");
  EXPECT_FALSE(read_message_payload(parse_reply("*2\r\n" + bulk("pong") + bulk("")).get()));
  EXPECT_EQ(lease_holder(parse_reply(":1\r\n").get()), "");
  EXPECT_EQ(lease_holder(parse_reply(bulk("node-b")).get()), "node-b");
  EXPECT_TRUE(valid_topic_name("mic_1-a"));
  EXPECT_FALSE(valid_topic_name("a b"));
  EXPECT_FALSE(valid_topic_name(""));
}

TEST(ClusterWire, AHugeArrayCountIsAnErrorNotAnAllocation) {
  redisReader* reader = create_reply_reader();
  const std::string wire = "*1999999994\r\n$1\r\nA\r\n";
  redisReaderFeed(reader, wire.data(), wire.size());
  void* reply = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader, &reply), REDIS_ERR);
  EXPECT_EQ(reply, nullptr);
  redisReaderFree(reader);
  redisReader* normal = create_reply_reader();
  const std::string small = "*2\r\n:1\r\n:2\r\n";
  redisReaderFeed(normal, small.data(), small.size());
  ASSERT_EQ(redisReaderGetReply(normal, &reply), REDIS_OK);
  const RedisReply owned(static_cast<redisReply*>(reply));
  EXPECT_EQ(owned->elements, 2u);
  redisReaderFree(normal);
}

}  // namespace
}  // namespace levelcast
