#include "push/cluster/cluster_wire.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace levelcast {
namespace {

constexpr std::string_view kMagic = "LC1";

template <typename T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

// Reads from a message front to back; any read past the end fails the whole decode.
struct Cursor {
  std::string_view rest;
  bool ok = true;

  template <typename T>
  T get() {
    T value{};
    if (rest.size() < sizeof(T)) {
      ok = false;
      return value;
    }
    std::memcpy(&value, rest.data(), sizeof(T));
    rest.remove_prefix(sizeof(T));
    return value;
  }
  std::string_view bytes(size_t n) {
    if (rest.size() < n) {
      ok = false;
      return {};
    }
    const std::string_view out = rest.substr(0, n);
    rest.remove_prefix(n);
    return out;
  }
};

template <typename T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string_view string_of(const redisReply* r) {
  return r != nullptr && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS)
             ? std::string_view(r->str, r->len)
             : std::string_view{};
}

bool is_array(const redisReply* r) { return r != nullptr && r->type == REDIS_REPLY_ARRAY; }

// "SEQ-0" -> SEQ.
std::optional<uint64_t> seq_of_id(std::string_view id) {
  const size_t dash = id.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  return parse_number<uint64_t>(id.substr(0, dash));
}

std::optional<StreamEntry> read_entry(const redisReply* r) {
  if (!is_array(r) || r->elements != 2 || !is_array(r->element[1])) return std::nullopt;
  const auto seq = seq_of_id(string_of(r->element[0]));
  if (!seq) return std::nullopt;
  StreamEntry entry;
  entry.seq = *seq;
  bool has_json = false;
  const redisReply* fields = r->element[1];
  for (size_t i = 0; i + 1 < fields->elements; i += 2) {
    const std::string_view name = string_of(fields->element[i]);
    const std::string_view value = string_of(fields->element[i + 1]);
    if (name == "j") {
      entry.json = value;
      has_json = true;
    } else if (name == "b") {
      entry.binary = value;
    } else if (name == "e") {
      entry.epoch = parse_number<uint64_t>(value).value_or(0);
    } else if (name == "t") {
      entry.ts = parse_number<int64_t>(value).value_or(0);
    }
  }
  if (!has_json) return std::nullopt;
  return entry;
}

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

std::string_view event_name(std::string_view json) {
  constexpr std::string_view kKey = R"("event":")";
  const size_t start = json.find(kKey);
  if (start == std::string_view::npos) return {};
  const std::string_view rest = json.substr(start + kKey.size());
  const size_t end = rest.find('"');
  return end == std::string_view::npos ? std::string_view{} : rest.substr(0, end);
}

bool valid_topic_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

void begin_batch(std::string& out, std::string_view node) {
  out.assign(kMagic);
  put<uint8_t>(out, static_cast<uint8_t>(std::min<size_t>(node.size(), 255)));
  out.append(node.substr(0, 255));
}

void append_record(std::string& out, const ClusterRecord& r) {
  put<uint8_t>(out, static_cast<uint8_t>(r.type));
  put<uint8_t>(out, static_cast<uint8_t>(std::min<size_t>(r.topic.size(), 255)));
  out.append(r.topic.substr(0, 255));
  put<uint64_t>(out, r.epoch);
  put<uint64_t>(out, r.seq);
  put<int64_t>(out, r.ts);
  put<uint32_t>(out, static_cast<uint32_t>(r.json.size()));
  out.append(r.json);
  put<uint32_t>(out, static_cast<uint32_t>(r.binary.size()));
  out.append(r.binary);
}

bool decode_batch(std::string_view message, std::string_view& node, std::vector<ClusterRecord>& records) {
  records.clear();
  if (!message.starts_with(kMagic)) return false;
  Cursor in{message.substr(kMagic.size())};
  node = in.bytes(in.get<uint8_t>());
  while (in.ok && !in.rest.empty()) {
    ClusterRecord r;
    const auto type = in.get<uint8_t>();
    if (type < 1 || type > 3) return false;
    r.type = static_cast<RecordType>(type);
    r.topic = in.bytes(in.get<uint8_t>());
    r.epoch = in.get<uint64_t>();
    r.seq = in.get<uint64_t>();
    r.ts = in.get<int64_t>();
    r.json = in.bytes(in.get<uint32_t>());
    r.binary = in.bytes(in.get<uint32_t>());
    if (!in.ok || !valid_topic_name(r.topic)) return false;
    records.push_back(r);
  }
  return in.ok;
}

bool read_stream_entries(const redisReply* reply, std::vector<StreamEntry>& entries) {
  entries.clear();
  if (!is_array(reply)) return false;
  for (size_t i = 0; i < reply->elements; ++i) {
    if (auto entry = read_entry(reply->element[i])) entries.push_back(*entry);
  }
  return true;
}

std::vector<std::string> meta_fields(const TopicMeta& m) {
  return {"node",     m.node,
          "kind",     m.kind,
          "rate",     fmt::format("{}", m.rate),
          "channels", std::to_string(m.channels),
          "fields",   fmt::format("{}", fmt::join(m.fields, ",")),
          "bands_hz", fmt::format("{}", fmt::join(m.bands_hz, ",")),
          "binary",   m.has_binary ? "1" : "0"};
}

std::optional<TopicMeta> read_topic_meta(const redisReply* reply) {
  if (!is_array(reply)) return std::nullopt;
  TopicMeta m;
  for (size_t i = 0; i + 1 < reply->elements; i += 2) {
    const std::string_view name = string_of(reply->element[i]);
    const std::string_view value = string_of(reply->element[i + 1]);
    if (name == "node") m.node = std::string(value);
    else if (name == "kind") m.kind = std::string(value);
    else if (name == "rate") m.rate = parse_number<double>(value).value_or(0);
    else if (name == "channels") m.channels = parse_number<int>(value).value_or(0);
    else if (name == "fields") m.fields = split(value);
    else if (name == "binary") m.has_binary = value == "1";
    else if (name == "bands_hz") {
      for (const std::string& hz : split(value)) m.bands_hz.push_back(parse_number<double>(hz).value_or(0));
    }
  }
  if (m.node.empty() || m.kind.empty()) return std::nullopt;
  return m;
}

std::optional<std::string_view> read_message_payload(const redisReply* reply) {
  if (!is_array(reply) || reply->elements != 3) return std::nullopt;
  if (string_of(reply->element[0]) != "message" || reply->element[2]->type != REDIS_REPLY_STRING) return std::nullopt;
  return string_of(reply->element[2]);
}

std::vector<std::string_view> read_string_array(const redisReply* reply) {
  std::vector<std::string_view> out;
  if (!is_array(reply)) return out;
  for (size_t i = 0; i < reply->elements; ++i) {
    if (reply->element[i] != nullptr && reply->element[i]->type == REDIS_REPLY_STRING)
      out.push_back(string_of(reply->element[i]));
  }
  return out;
}

}  // namespace levelcast
