#include "push/broadcast_hub.hpp"

#include "core/check.hpp"
#include "core/clock.hpp"

namespace levelcast {

BroadcastHub::Publisher::Publisher(BroadcastHub& hub) : workers_(hub.workers_) {
  tokens_.reserve(workers_.size());
  for (Worker* w : workers_) tokens_.emplace_back(w->broadcast_queue());
}

void BroadcastHub::Publisher::publish(SharedFrame* frame, uint32_t channel) {
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
