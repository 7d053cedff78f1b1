#pragma once
// The queue from producers to one worker: plain records (a frame and its channel), never
// std::function. Lock-free multi-producer (moodycamel); each producer keeps a ProducerToken per
// worker and the worker dequeues in bulk.
#include <concurrentqueue/concurrentqueue.h>

#include <cstdint>

#include "core/shared_frame.hpp"
#include "net/admission.hpp"  // AcceptedSocket, queued to workers

namespace levelcast {

struct BroadcastItem {
  SharedFrame* frame = nullptr;  // carries one reference for the receiving worker
  uint32_t channel = 0;
  int64_t published_ns = 0;  // monotonic: when the producer queued it
};

using BroadcastQueue = moodycamel::ConcurrentQueue<BroadcastItem>;

}  // namespace levelcast
