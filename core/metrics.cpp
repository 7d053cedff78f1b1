#include "core/metrics.hpp"

namespace levelcast {

ServerMetrics::ServerMetrics(size_t workers, size_t producers)
    : worker_count_(workers),
      producer_count_(producers),
      workers_(std::make_unique<WorkerCounters[]>(workers)),
      producers_(std::make_unique<ProducerCounters[]>(producers)) {}

}  // namespace levelcast
