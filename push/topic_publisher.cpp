#include "push/topic_publisher.hpp"

#include "net/sse.hpp"
#include "net/ws_frame.hpp"

namespace levelcast {

TopicPublisher::TopicPublisher(const Topic& topic, BroadcastHub& hub, ProducerCounters& counters,
                               DeflateSettings deflate)
    : topic_(topic),
      publisher_(hub),
      references_(hub.references_per_frame()),
      counters_(counters),
      deflate_settings_(deflate) {}

void TopicPublisher::publish(SharedFrame* frame, Format form) { publisher_.publish(frame, topic_.channel(form)); }

void TopicPublisher::publish_snapshot(uint64_t seq, std::string_view json, std::span<const uint8_t> binary) {
  publish_websocket(seq, Opcode::text, as_bytes(json), Format::json);
  bump(counters_.frames_encoded);
  if (!binary.empty()) {  // a lines topic's second form is text: {"seq":N,"line":"..."}
    publish_websocket(seq, topic_.has_binary ? Opcode::binary : Opcode::text, binary, Format::binary);
    if (topic_.has_binary) bump(counters_.binary_frames_encoded);
  }
  scratch_.clear();
  append_sse_event(scratch_, seq, {}, json);
  publish(make_raw_shared_frame(as_bytes(scratch_), references_, seq), Format::sse);
  bump(counters_.sse_encoded);
}

// The plain frame, and with --deflate its compressed twin: a payload too small to gain, or
// one that would not shrink, goes to the deflate channel as the same plain frame (RSV1 is per
// message, so a deflate connection takes uncompressed messages too).
void TopicPublisher::publish_websocket(uint64_t seq, Opcode opcode, std::span<const uint8_t> payload,
                                       Format form) {
  SharedFrame* plain = make_shared_frame(opcode, payload, references_, seq);
  publish(plain, form);
  if (!deflate_settings_.enabled) return;
  if (payload.size() >= deflate_settings_.min_bytes) {
    scratch_.clear();
    deflater_.compress(payload, scratch_);
    bump(counters_.frames_compressed);
    if (scratch_.size() < payload.size()) {
      publish(make_shared_frame(opcode, as_bytes(scratch_), references_, seq, kRsv1), deflated(form));
      return;
    }
  }
  plain->add_refs(references_);
  publish(plain, deflated(form));
}

void TopicPublisher::publish_event(std::string_view name, std::string_view json) {
  for (const Format form : {Format::json, Format::binary, Format::json_deflate, Format::binary_deflate}) {
    publish(make_shared_frame(Opcode::text, as_bytes(json), references_), form);
  }
  scratch_.clear();
  append_sse_event(scratch_, 0, name, json);
  publish(make_raw_shared_frame(as_bytes(scratch_), references_), Format::sse);
}

}  // namespace levelcast
