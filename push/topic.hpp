#pragma once
// Topics: one per source, or learned from the cluster. A topic owns one broadcast channel per
// form its snapshots take (the WebSocket JSON and binary frames, the Server-Sent Events text,
// and the deflated JSON and binary frames), so that each form is encoded once per snapshot and
// sent only to those who asked for it. A topic's description is written once, before the topic
// is published in the registry; afterwards only its state changes (atomics, written by its
// producer or the cluster relay, read by any worker for /topics).
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.hpp"
#include "push/process/command_stream.hpp"

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
  std::atomic<bool> stalled{false};  // a cluster topic whose owner has gone quiet
  // The cluster node that owns it (interned by the registry; may change when another node takes
  // the topic over); null without --cluster.
  std::atomic<const std::string*> node{nullptr};
  uint64_t seq_base = 0;  // the first snapshot is seq_base + 1 (set before the producer starts)
  // Resets asked for (by any worker, through a const Topic); the producer, which owns the meter,
  // performs one when the count differs from the resets it has done.
  mutable std::atomic<uint64_t> loudness_resets_requested{0};
  const CommandStatus* command = nullptr;  // exec: and lines: topics; owned by the source

  uint32_t channel(Format f) const { return first_channel + static_cast<uint32_t>(f); }
};

// Holds up to `capacity` topics. One thread adds (the server's at start-up, then the cluster
// relay); any thread reads: a topic is fully described before add_described() publishes it.
class TopicRegistry {
 public:
  explicit TopicRegistry(size_t capacity = 256);

  // The first topic added is the default one (/levels). Start-up only: aborts when full.
  Topic& add(std::string name, std::string kind);
  // Publishes a topic described by `describe(Topic&)`; nullptr when the registry is full.
  template <typename Describe>
  Topic* add_described(std::string name, std::string kind, Describe&& describe) {
    Topic* topic = prepare(std::move(name), std::move(kind));
    if (topic != nullptr) {
      describe(*topic);
      count_.store(count_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }
    return topic;
  }
  const Topic* find(std::string_view name) const;
  const Topic* default_topic() const { return size() == 0 ? nullptr : slots_[0].get(); }
  const Topic& for_channel(uint32_t channel) const { return *slots_[channel / kFormsPerTopic]; }
  static Format form_of(uint32_t channel) { return static_cast<Format>(channel % kFormsPerTopic); }
  size_t size() const { return count_.load(std::memory_order_acquire); }
  size_t capacity() const { return slots_.size(); }
  Topic& at(size_t i) { return *slots_[i]; }
  const Topic& at(size_t i) const { return *slots_[i]; }
  size_t channel_count() const { return size() * kFormsPerTopic; }
  // A stable copy of a node's name for Topic::node; the adding thread only. Null past 1024 names.
  const std::string* intern_node(std::string_view name);

  // GET /topics: {"default":"synth","topics":[{...}, ...]}
  std::string to_json(const ServerMetrics& metrics) const;

 private:
  Topic* prepare(std::string name, std::string kind);

  std::vector<std::unique_ptr<Topic>> slots_;  // sized once; slot i filled before count_ > i
  std::atomic<size_t> count_{0};
  std::deque<std::string> node_names_;  // never shrinks: Topic::node points into it
};

}  // namespace levelcast
