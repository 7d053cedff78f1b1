#pragma once
// What the cluster keeps in Redis and sends through it, and how replies are read back. Pure
// functions: safe from any thread. The fuzz target tests/fuzz/cluster_reply_fuzz.cpp feeds
// arbitrary bytes through hiredis's reader into every reader here.
//
// Keys (P = --cluster-prefix):
//   P:topics          set of every cluster topic's name
//   P:meta:NAME       hash: node, kind, rate, channels, fields, bands_hz, binary
//   P:owner:NAME      the owner's lease: its node id, PX ClusterConfig::lease_ms()
//   P:stream:NAME     the history: entry id SEQ-0, fields t (ts), e (epoch), j (JSON), b (binary)
//   P:live            the channel: one batch message per publisher drain
//
// A batch message: "LC1" u8(node length) node, then records until the end, each:
//   u8 type, u8 topic length, topic, u64 epoch, u64 seq, i64 ts, u32 n, n bytes of JSON text,
//   u32 m, m bytes of binary payload (little-endian). A heartbeat's JSON is its state.
#include <hiredis/hiredis.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace levelcast {

struct ClusterKeys {
  std::string prefix;
  std::string topics() const { return prefix + ":topics"; }
  std::string meta(std::string_view topic) const { return prefix + ":meta:" + std::string(topic); }
  std::string owner(std::string_view topic) const { return prefix + ":owner:" + std::string(topic); }
  std::string stream(std::string_view topic) const { return prefix + ":stream:" + std::string(topic); }
  std::string live() const { return prefix + ":live"; }
};

enum class RecordType : uint8_t { snapshot = 1, event = 2, heartbeat = 3 };

// One record of a batch; the views point into the message (or the strings that built it).
struct ClusterRecord {
  RecordType type = RecordType::snapshot;
  std::string_view topic;
  uint64_t epoch = 0;
  uint64_t seq = 0;  // a snapshot's seq; a heartbeat's last seq; 0 for an event
  int64_t ts = 0;    // wall-clock micros when the owner handed it to its publisher
  std::string_view json;
  std::string_view binary;
};

void begin_batch(std::string& out, std::string_view node);
void append_record(std::string& out, const ClusterRecord& record);
// false when the message is not a well-formed batch (then `records` holds what came before).
bool decode_batch(std::string_view message, std::string_view& node, std::vector<ClusterRecord>& records);

// One entry of a topic's stream, read from an XRANGE/XREVRANGE reply.
struct StreamEntry {
  uint64_t seq = 0;
  uint64_t epoch = 0;
  int64_t ts = 0;
  std::string_view json;
  std::string_view binary;
};
// Entries with a well-formed id and JSON field, in reply order; false when the reply is not an
// array of entries at all.
bool read_stream_entries(const redisReply* reply, std::vector<StreamEntry>& entries);

// A topic's description, as its owner writes it to P:meta:NAME.
struct TopicMeta {
  std::string node;
  std::string kind;
  double rate = 0;
  int channels = 0;
  std::vector<std::string> fields;
  std::vector<double> bands_hz;
  bool has_binary = true;
};
// The HSET arguments after the key: field, value, field, value, ...
std::vector<std::string> meta_fields(const TopicMeta& meta);
// From an HGETALL reply; nullopt when it is empty or lacks node or kind.
std::optional<TopicMeta> read_topic_meta(const redisReply* reply);

// A subscription push: ["message", channel, payload]; nullopt for anything else.
std::optional<std::string_view> read_message_payload(const redisReply* reply);
// Names from an SMEMBERS reply (strings only).
std::vector<std::string_view> read_string_array(const redisReply* reply);
// The name of an event from its JSON ({"topic":"mic","event":"ended"} -> "ended"); "" if none.
std::string_view event_name(std::string_view json);
// Valid topic names: as --source NAME ([A-Za-z0-9_-]{1,64}).
bool valid_topic_name(std::string_view name);

}  // namespace levelcast
