#include "push/topic_publisher.hpp"

#include "core/clock.hpp"
#include "net/sse.hpp"
#include "net/ws_frame.hpp"

namespace levelcast {

TopicPublisher::TopicPublisher(const Topic& topic, BroadcastHub& hub, ProducerCounters& counters,
                               DeflateSettings deflate, Origin origin)
    : topic_(topic),
      publisher_(hub),
      references_(hub.references_per_frame()),
      counters_(counters),
      deflate_settings_(deflate),
      outbox_(origin == Origin::local ? hub.outbox() : nullptr) {
  if (outbox_ != nullptr) outbox_token_.emplace(outbox_->queue());
}

void TopicPublisher::publish(SharedFrame* frame, Format form) { publisher_.publish(frame, topic_.channel(form)); }

void TopicPublisher::publish_snapshot(uint64_t seq, std::string_view json, std::span<const uint8_t> binary) {
  const uint32_t for_cluster = outbox_ != nullptr ? 1 : 0;
  SharedFrame* json_frame = publish_websocket(seq, Opcode::text, as_bytes(json), Format::json, for_cluster);
  bump(counters_.frames_encoded);
  SharedFrame* binary_frame = nullptr;
  if (!binary.empty()) {  // a lines topic's second form is text: {"seq":N,"line":"..."}
    binary_frame = publish_websocket(seq, topic_.has_binary ? Opcode::binary : Opcode::text, binary,
                                     Format::binary, for_cluster);
    if (topic_.has_binary) bump(counters_.binary_frames_encoded);
  }
  if (outbox_ != nullptr)
    outbox_->offer(*outbox_token_, {json_frame, binary_frame, topic_.first_channel / kFormsPerTopic, wall_micros()});
  scratch_.clear();
  append_sse_event(scratch_, seq, {}, json);
  publish(make_raw_shared_frame(as_bytes(scratch_), references_, seq), Format::sse);
  bump(counters_.sse_encoded);
}

// The plain frame, and with --deflate its compressed twin: a payload too small to gain, or
// one that would not shrink, goes to the deflate channel as the same plain frame (RSV1 is per
// message, so a deflate connection takes uncompressed messages too).
SharedFrame* TopicPublisher::publish_websocket(uint64_t seq, Opcode opcode, std::span<const uint8_t> payload,
                                               Format form, uint32_t extra_refs) {
  SharedFrame* plain = make_shared_frame(opcode, payload, references_ + extra_refs, seq);
  publish(plain, form);
  if (!deflate_settings_.enabled) return plain;
  if (payload.size() >= deflate_settings_.min_bytes) {
    scratch_.clear();
    deflater_.compress(payload, scratch_);
    bump(counters_.frames_compressed);
    if (scratch_.size() < payload.size()) {
      publish(make_shared_frame(opcode, as_bytes(scratch_), references_, seq, kRsv1), deflated(form));
      return plain;
    }
  }
  plain->add_refs(references_);
  publish(plain, deflated(form));
  return plain;
}

void TopicPublisher::publish_event(std::string_view name, std::string_view json) {
  for (const Format form : {Format::json, Format::binary, Format::json_deflate, Format::binary_deflate}) {
    publish(make_shared_frame(Opcode::text, as_bytes(json), references_), form);
  }
  scratch_.clear();
  append_sse_event(scratch_, 0, name, json);
  publish(make_raw_shared_frame(as_bytes(scratch_), references_), Format::sse);
  if (outbox_ != nullptr)
    outbox_->offer(*outbox_token_, {make_shared_frame(Opcode::text, as_bytes(json), 1), nullptr,
                                    topic_.first_channel / kFormsPerTopic, wall_micros()});
}

}  // namespace levelcast
