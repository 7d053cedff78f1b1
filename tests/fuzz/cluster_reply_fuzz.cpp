// libFuzzer target: the cluster's handling of what Redis sends (push/cluster/cluster_wire.hpp).
// Input: bytes as a Redis connection would deliver them. Every reply hiredis's reader makes of
// them goes through every reader of ours (stream entries, topic descriptions, subscription
// pushes and the batch messages inside them, name lists, lease answers); the input is also
// decoded as a batch message directly. Checks: no crash or leak, views stay inside the reply,
// and a batch that decodes re-encodes to the same bytes.
#include <hiredis/hiredis.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "push/cluster/cluster_lease.hpp"
#include "push/cluster/cluster_wire.hpp"
#include "tests/fuzz/invariant.hpp"

namespace {

using namespace levelcast;

void check_batch(std::string_view message) {
  std::string_view node;
  std::vector<ClusterRecord> records;
  if (!decode_batch(message, node, records)) return;
  std::string again;
  begin_batch(again, node);
  for (const ClusterRecord& r : records) append_record(again, r);
  fuzz::require(again == message, "a decoded batch re-encodes to the same bytes");
}

void check_reply(const redisReply* reply) {
  std::vector<StreamEntry> entries;
  if (read_stream_entries(reply, entries)) {
    for (const StreamEntry& e : entries) fuzz::require(e.json.size() <= (1u << 30), "entry JSON in bounds");
  }
  if (const auto meta = read_topic_meta(reply)) fuzz::require(!meta->node.empty(), "a described topic has a node");
  if (const auto payload = read_message_payload(reply)) check_batch(*payload);
  for (const std::string_view name : read_string_array(reply)) (void)valid_topic_name(name);
  (void)lease_holder(reply);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_batch(input);
  redisReader* reader = create_reply_reader();
  redisReaderFeed(reader, input.data(), input.size());
  for (int i = 0; i < 64; ++i) {
    void* reply = nullptr;
    if (redisReaderGetReply(reader, &reply) != REDIS_OK || reply == nullptr) break;
    const RedisReply owned(static_cast<redisReply*>(reply));
    check_reply(owned.get());
  }
  redisReaderFree(reader);
  return 0;
}
