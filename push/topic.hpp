#pragma once
// Topics: one per source. A topic owns one broadcast channel per form its snapshots take (the
// WebSocket JSON and binary frames, the Server-Sent Events text, and the deflated JSON and
// binary frames), so that each form is encoded once per snapshot and sent only to those who
// asked for it.
// The registry is built at start-up and then immutable, except for each topic's state, which
// its producer updates (atomics) and any worker reads for /topics.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.hpp"
#include "push/audio/command_stream.hpp"

namespace levelcast {

// The forms of a snapshot, each a channel of its topic (first_channel + the form).
enum class Format : uint8_t { json, binary, sse, json_deflate, binary_deflate };
constexpr uint32_t kFormsPerTopic = 5;
// The compressed twin of a WebSocket form, for subscribers that negotiated permessage-deflate.
constexpr Format deflated(Format f) { return f == Format::binary ? Format::binary_deflate : Format::json_deflate; }

struct Topic {
  std::string name;
  std::string kind;  // synth, pcm, wav, exec, lines, alsa
  double rate = 0;   // snapshots per second; 0 for a lines topic (a message per line)
  int channels = 0;
  std::vector<std::string> fields;
  std::vector<double> bands_hz;
  bool has_binary = true;  // lines topics carry text only: there binary_channel carries the
                           // lines as JSON objects ({"seq":N,"line":"..."}, ?format=json)
  uint32_t first_channel = 0;
  uint32_t json_channel = 0;    // = channel(Format::json)
  uint32_t binary_channel = 0;  // = channel(Format::binary)

  bool loudness_resettable = false;  // POST /topics/NAME/reset-loudness is allowed

  std::atomic<uint64_t> last_seq{0};
  std::atomic<bool> ended{false};
  // Resets asked for (by any worker, through a const Topic); the producer, which owns the meter,
  // performs one when the count differs from the resets it has done.
  mutable std::atomic<uint64_t> loudness_resets_requested{0};
  const CommandStatus* command = nullptr;  // exec: and lines: topics; owned by the source

  uint32_t channel(Format f) const { return first_channel + static_cast<uint32_t>(f); }
};

class TopicRegistry {
 public:
  // The first topic added is the default one (/levels).
  Topic& add(std::string name, std::string kind);
  const Topic* find(std::string_view name) const;
  const Topic& default_topic() const { return *topics_.front(); }
  const Topic& for_channel(uint32_t channel) const { return *topics_[channel / kFormsPerTopic]; }
  static Format form_of(uint32_t channel) { return static_cast<Format>(channel % kFormsPerTopic); }
  size_t size() const { return topics_.size(); }
  Topic& at(size_t i) { return *topics_[i]; }
  const Topic& at(size_t i) const { return *topics_[i]; }
  size_t channel_count() const { return topics_.size() * kFormsPerTopic; }

  // GET /topics: {"default":"synth","topics":[{...}, ...]}
  std::string to_json(const ServerMetrics& metrics) const;

 private:
  std::vector<std::unique_ptr<Topic>> topics_;
};

}  // namespace levelcast
