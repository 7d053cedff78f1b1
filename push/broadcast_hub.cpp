#include "push/broadcast_hub.hpp"

#include "core/check.hpp"
#include "core/clock.hpp"

namespace levelcast {

BroadcastHub::Publisher::Publisher(BroadcastHub& hub, Origin origin)
    : workers_(hub.workers_), outbox_(origin == Origin::local ? hub.outbox_ : nullptr) {
  tokens_.reserve(workers_.size());
  for (Worker* w : workers_) tokens_.emplace_back(w->broadcast_queue());
  if (outbox_ != nullptr) outbox_token_.emplace(outbox_->queue());
}

void BroadcastHub::Publisher::publish(SharedFrame* frame, uint32_t channel) {
  if (outbox_ != nullptr) outbox_->offer(*outbox_token_, {frame, channel, wall_micros()});
  const BroadcastItem item{frame, channel, mono_nanos()};
  for (size_t i = 0; i < workers_.size(); ++i) {
    // enqueue only fails when memory runs out; then the worker's reference is dropped here.
    if (!workers_[i]->broadcast_queue().enqueue(tokens_[i], item)) {
      frame->release();
      continue;
    }
    workers_[i]->notify();
  }
}

}  // namespace levelcast
