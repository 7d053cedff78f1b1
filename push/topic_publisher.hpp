#pragma once
// TopicPublisher: where a topic's payloads become frames. For each snapshot it encodes every
// form a subscriber may ask for, once: the WebSocket text frame of the JSON, the binary frame,
// the Server-Sent Events text and, with --deflate, the compressed WebSocket frames; then hands
// each to every worker (BroadcastHub). Producers of every kind (audio, lines, the cluster
// relay) publish through it, so each form is built in one place. A local topic's publisher in a
// cluster also hands each snapshot's JSON and binary frames (and its events) to the hub's
// ClusterOutbox; the relay's does not (what it publishes came from the cluster).
//
// Threads: used by the one producer thread that owns it.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/metrics.hpp"
#include "core/shared_frame.hpp"
#include "net/permessage_deflate.hpp"
#include "push/broadcast_hub.hpp"
#include "push/topic.hpp"

namespace levelcast {

struct DeflateSettings {
  bool enabled = false;     // --deflate
  size_t min_bytes = 200;   // --deflate-min-bytes: smaller payloads go uncompressed
};

class TopicPublisher {
 public:
  enum class Origin { local, relayed };

  TopicPublisher(const Topic& topic, BroadcastHub& hub, ProducerCounters& counters,
                 DeflateSettings deflate, Origin origin = Origin::local);

  // Snapshot `seq`: its JSON text and its binary payload (for a lines topic: the line itself,
  // and {"seq":N,"line":"..."} as a text frame on the second channel).
  void publish_snapshot(uint64_t seq, std::string_view json, std::span<const uint8_t> binary);
  // An event such as "ended": its JSON text goes as a text frame in every WebSocket form (also
  // to binary and compressed subscribers) and as `event: NAME` on SSE streams.
  void publish_event(std::string_view name, std::string_view json);

 private:
  void publish(SharedFrame* frame, Format form);
  // Returns the plain frame, which carries `extra_refs` more references for the caller.
  SharedFrame* publish_websocket(uint64_t seq, Opcode opcode, std::span<const uint8_t> payload, Format form,
                                 uint32_t extra_refs);

  const Topic& topic_;
  BroadcastHub::Publisher publisher_;
  uint32_t references_;
  ProducerCounters& counters_;
  DeflateSettings deflate_settings_;
  MessageDeflater deflater_;
  std::string scratch_;  // reused: no allocation per snapshot in steady state
  ClusterOutbox* outbox_;  // null unless a local topic in a cluster
  std::optional<moodycamel::ProducerToken> outbox_token_;
};

}  // namespace levelcast
