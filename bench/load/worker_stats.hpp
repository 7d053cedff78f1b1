#pragma once
// WorkerStats: what one worker counted. Counters named *_in_window count only inside the
// measured window; the others count over the whole run. Written by its worker thread only;
// read and merged by main after the worker has joined.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "latency_histogram.hpp"

namespace levelcast::load {

struct WorkerStats {
  // Connections: each is counted once: opened, failed or not started (connect mode: each cycle).
  std::uint64_t opened = 0;
  std::uint64_t connect_failed = 0;    // refused, unreachable, timed out before the TCP handshake
  std::uint64_t handshake_failed = 0;  // no valid 101 reply in time
  std::uint64_t not_started = 0;       // fanout, echo: the set-up time ran out before connect()
  std::uint64_t dropped = 0;           // an open connection closed before the run ended
  std::uint64_t protocol_errors = 0;   // of which: the server broke RFC 6455
  std::uint64_t close_timeouts = 0;    // no close reply within the grace period
  int first_connect_errno = 0;         // why the first failed connect failed

  std::uint64_t messages_in_window = 0;
  std::uint64_t reads_in_window = 0;       // recv() calls that returned data on open connections
  std::uint64_t unparsed_in_window = 0;    // messages without a readable seq/ts or timestamp
  std::uint64_t handshakes_in_window = 0;  // connect mode
  std::uint64_t seq_gaps = 0;              // jumps forward in seq
  std::uint64_t seq_missing = 0;           // messages skipped by those jumps
  std::uint64_t duplicates = 0;            // seq not above the previous one
  std::uint64_t tls_resumed = 0;           // --tls: handshakes resumed from a ticket

  // Messages in the window per opened connection (fanout, echo).
  std::uint64_t min_connection_messages = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t max_connection_messages = 0;

  // CPU seconds per second of the worker thread inside the window; merged: the busiest one.
  double thread_cpu_share = 0;
  // --busy-poll: the share of the window not spent in polls that found nothing; merged: the
  // busiest one. It is the client's load with no sleep/wake-up cost, as at saturation.
  double thread_busy_share = 0;

  LatencyHistogram latency;  // fanout: now - ts; echo: round trip; connect: connect to 101

  void merge(const WorkerStats& other) noexcept;
};

// The counters that merge by adding up.
inline constexpr std::uint64_t WorkerStats::*kSummedCounters[] = {
    &WorkerStats::opened,
    &WorkerStats::connect_failed,
    &WorkerStats::handshake_failed,
    &WorkerStats::not_started,
    &WorkerStats::dropped,
    &WorkerStats::protocol_errors,
    &WorkerStats::close_timeouts,
    &WorkerStats::messages_in_window,
    &WorkerStats::reads_in_window,
    &WorkerStats::unparsed_in_window,
    &WorkerStats::handshakes_in_window,
    &WorkerStats::seq_gaps,
    &WorkerStats::seq_missing,
    &WorkerStats::duplicates,
    &WorkerStats::tls_resumed,
};

inline void WorkerStats::merge(const WorkerStats& other) noexcept {
  for (const auto counter : kSummedCounters) this->*counter += other.*counter;
  if (first_connect_errno == 0) first_connect_errno = other.first_connect_errno;
  min_connection_messages = std::min(min_connection_messages, other.min_connection_messages);
  max_connection_messages = std::max(max_connection_messages, other.max_connection_messages);
  thread_cpu_share = std::max(thread_cpu_share, other.thread_cpu_share);
  thread_busy_share = std::max(thread_busy_share, other.thread_busy_share);
  latency.merge(other.latency);
}

}  // namespace levelcast::load
