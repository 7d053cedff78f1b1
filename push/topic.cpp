#include "push/topic.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/check.hpp"

namespace levelcast {
namespace {
// Field names are plain identifiers (rms, loudness.momentary): no escaping needed.
std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out.append(out.empty() ? "\"" : ",\"").append(n).push_back('"');
  return out;
}

// A command between runs is restarting: it exited and waits out its backoff.
const char* state_of(const Topic& t) {
  if (t.ended.load(std::memory_order_relaxed)) return "ended";
  if (t.stalled.load(std::memory_order_relaxed)) return "stalled";
  if (t.command && t.command->restarting.load(std::memory_order_relaxed)) return "restarting";
  return "running";
}

std::string node_field(const Topic& t) {
  const std::string* node = t.node.load(std::memory_order_acquire);
  return node == nullptr ? std::string{} : fmt::format(R"(,"node":"{}")", *node);
}
}  // namespace

TopicRegistry::TopicRegistry(size_t capacity) : slots_(capacity) {}

Topic* TopicRegistry::prepare(std::string name, std::string kind) {
  const size_t index = count_.load(std::memory_order_relaxed);
  if (index == slots_.size()) return nullptr;
  auto topic = std::make_unique<Topic>();
  topic->name = std::move(name);
  topic->kind = std::move(kind);
  topic->first_channel = static_cast<uint32_t>(index * kFormsPerTopic);
  topic->json_channel = topic->channel(Format::json);
  topic->binary_channel = topic->channel(Format::binary);
  slots_[index] = std::move(topic);
  return slots_[index].get();
}

Topic& TopicRegistry::add(std::string name, std::string kind) {
  Topic* topic = add_described(std::move(name), std::move(kind), [](Topic&) {});
  LC_CHECK(topic != nullptr);
  return *topic;
}

const std::string* TopicRegistry::intern_node(std::string_view name) {
  for (const std::string& known : node_names_)
    if (known == name) return &known;
  if (node_names_.size() == 1024) return nullptr;
  return &node_names_.emplace_back(name);
}

const Topic* TopicRegistry::find(std::string_view name) const {
  const size_t n = size();
  for (size_t i = 0; i < n; ++i) {
    if (slots_[i]->name == name) return slots_[i].get();
  }
  return nullptr;
}

std::string TopicRegistry::to_json(const ServerMetrics& metrics) const {
  std::string out;
  auto it = std::back_inserter(out);
  const size_t n = size();
  fmt::format_to(it, R"({{"default":"{}","topics":[)", n == 0 ? "" : slots_[0]->name);
  for (size_t i = 0; i < n; ++i) {
    const Topic& t = *slots_[i];
    uint64_t subscribers = 0;
    for (uint32_t f = 0; f < kFormsPerTopic; ++f) subscribers += metrics.channel_subscribers(t.first_channel + f);
    fmt::format_to(it,
                   R"({}{{"name":"{}","kind":"{}","rate":{},"channels":{},"fields":[{}],)"
                   R"("bands_hz":[{}],"formats":[{}],"subscribers":{},"last_seq":{},"state":"{}",)"
                   R"("restarts":{}{}{}}})",
                   i == 0 ? "" : ",", t.name, t.kind, t.rate, t.channels,
                   quoted_list(t.fields), fmt::join(t.bands_hz, ","),
                   t.has_binary ? R"("json","binary")" : R"("text","json")", subscribers,
                   t.last_seq.load(std::memory_order_relaxed),
                   state_of(t), t.command ? t.command->restarts.load(std::memory_order_relaxed) : 0,
                   t.loudness_resettable ? R"(,"reset_loudness":true)" : "", node_field(t));
  }
  out.append("]}");
  return out;
}

}  // namespace levelcast
