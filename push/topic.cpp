#include "push/topic.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

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
  if (t.command && t.command->restarting.load(std::memory_order_relaxed)) return "restarting";
  return "running";
}
}  // namespace

Topic& TopicRegistry::add(std::string name, std::string kind) {
  auto topic = std::make_unique<Topic>();
  topic->name = std::move(name);
  topic->kind = std::move(kind);
  topic->first_channel = static_cast<uint32_t>(topics_.size() * kFormsPerTopic);
  topic->json_channel = topic->channel(Format::json);
  topic->binary_channel = topic->channel(Format::binary);
  topics_.push_back(std::move(topic));
  return *topics_.back();
}

const Topic* TopicRegistry::find(std::string_view name) const {
  for (const auto& t : topics_) {
    if (t->name == name) return t.get();
  }
  return nullptr;
}

std::string TopicRegistry::to_json(const ServerMetrics& metrics) const {
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, R"({{"default":"{}","topics":[)", default_topic().name);
  for (size_t i = 0; i < topics_.size(); ++i) {
    const Topic& t = *topics_[i];
    uint64_t subscribers = 0;
    for (uint32_t f = 0; f < kFormsPerTopic; ++f) subscribers += metrics.channel_subscribers(t.first_channel + f);
    fmt::format_to(it,
                   R"({}{{"name":"{}","kind":"{}","rate":{},"channels":{},"fields":[{}],)"
                   R"("bands_hz":[{}],"formats":[{}],"subscribers":{},"last_seq":{},"state":"{}",)"
                   R"("restarts":{}{}}})",
                   i == 0 ? "" : ",", t.name, t.kind, t.rate, t.channels,
                   quoted_list(t.fields), fmt::join(t.bands_hz, ","),
                   t.has_binary ? R"("json","binary")" : R"("text","json")", subscribers,
                   t.last_seq.load(std::memory_order_relaxed),
                   state_of(t), t.command ? t.command->restarts.load(std::memory_order_relaxed) : 0,
                   t.loudness_resettable ? R"(,"reset_loudness":true)" : "");
  }
  out.append("]}");
  return out;
}

}  // namespace levelcast
