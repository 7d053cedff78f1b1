#include "push/activity_summary.hpp"

#include <fmt/core.h>

#include "core/clock.hpp"
#include "core/log.hpp"

namespace levelcast {

ActivitySummary::ActivitySummary(const ServerMetrics& metrics, int64_t now_ns)
    : metrics_(metrics), last_(totals()), last_ns_(now_ns) {}

ActivityTotals ActivitySummary::totals() const {
  ActivityTotals t;
  t.accepted = read(metrics_.acceptor().accepted);
  for (size_t i = 0; i < metrics_.worker_count(); ++i) {
    const WorkerCounters& w = metrics_.worker(i);
    t.delivered += read(w.messages_sent);
    t.dropped += read(w.messages_dropped);
    t.skipped += read(w.frames_skipped);
  }
  t.log_dropped = log_lines_dropped();
  return t;
}

void ActivitySummary::log(int64_t now_ns) {
  const ActivityTotals now = totals();
  const double seconds = static_cast<double>(now_ns - last_ns_) / static_cast<double>(kNanosPerSecond);
  const double per_second = seconds > 0 ? static_cast<double>(now.delivered - last_.delivered) / seconds : 0;
  uint64_t open = 0;
  for (size_t i = 0; i < metrics_.worker_count(); ++i) open += read(metrics_.worker(i).connections);
  log_fields(LogLevel::info, "summary",
             {{"connections", std::to_string(open)},
              {"accepted", std::to_string(now.accepted - last_.accepted)},
              {"deliveries_per_s", fmt::format("{:.1f}", per_second)},
              {"dropped", std::to_string(now.dropped - last_.dropped)},
              {"skipped", std::to_string(now.skipped - last_.skipped)},
              {"log_lines_dropped", std::to_string(now.log_dropped - last_.log_dropped)}});
  last_ = now;
  last_ns_ = now_ns;
}

}  // namespace levelcast
