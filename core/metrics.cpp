#include "core/metrics.hpp"

namespace levelcast {

ServerMetrics::ServerMetrics(size_t workers, size_t producers, size_t channels)
    : worker_count_(workers),
      producer_count_(producers),
      channels_(channels),
      subscribers_(std::make_unique<Counter[]>(workers * channels)),
      workers_(std::make_unique<WorkerCounters[]>(workers)),
      producers_(std::make_unique<ProducerCounters[]>(producers)) {}

uint64_t ServerMetrics::channel_subscribers(size_t channel) const {
  uint64_t total = 0;
  for (size_t w = 0; w < worker_count_; ++w) total += read(subscribers_[w * channels_ + channel]);
  return total;
}

}  // namespace levelcast
