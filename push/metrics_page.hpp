#pragma once
// Renders the server's counters in the Prometheus text exposition format. Safe from any thread.
#include <string>

#include "core/metrics.hpp"

namespace levelcast {

std::string render_metrics(const ServerMetrics& metrics);

}  // namespace levelcast
