#pragma once
// ActivitySummary: the one info line per --summary-interval that tells an operator what the
// server did: open connections, deliveries per second, and the drops and skips of the interval
// (differences of the /metrics counters since the previous line).
//
// Threads: one caller (main); reads the counters like /metrics does.
#include <cstdint>

#include "core/metrics.hpp"

namespace levelcast {

struct ActivityTotals {
  uint64_t accepted = 0;
  uint64_t delivered = 0;
  uint64_t dropped = 0;
  uint64_t skipped = 0;
  uint64_t log_dropped = 0;
};

class ActivitySummary {
 public:
  ActivitySummary(const ServerMetrics& metrics, int64_t now_ns);
  // Logs the line for the interval ending at `now_ns`.
  void log(int64_t now_ns);

 private:
  ActivityTotals totals() const;

  const ServerMetrics& metrics_;
  ActivityTotals last_;
  int64_t last_ns_;
};

}  // namespace levelcast
