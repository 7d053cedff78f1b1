#include "push/metrics_page.hpp"

#include <fmt/format.h>

#include <ctime>
#include "push/topic.hpp"
#include "core/log.hpp"

namespace levelcast {
namespace {
using Out = std::back_insert_iterator<std::string>;

void metric(Out out, std::string_view name, std::string_view type, std::string_view help,
            uint64_t value) {
  fmt::format_to(out, "# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, value);
}

template <typename Field>
uint64_t sum_workers(const ServerMetrics& m, Field field) {
  uint64_t total = 0;
  for (size_t i = 0; i < m.worker_count(); ++i) total += read(m.worker(i).*field);
  return total;
}

template <typename Field>
uint64_t sum_producers(const ServerMetrics& m, Field field) {
  uint64_t total = 0;
  for (size_t i = 0; i < m.producer_count(); ++i) total += read(m.producer(i).*field);
  return total;
}

void render_tls(Out out, const ServerMetrics& m, int64_t not_after) {
  metric(out, "levelcast_tls_handshakes_total", "counter", "TLS handshakes completed.",
         sum_workers(m, &WorkerCounters::tls_handshakes));
  metric(out, "levelcast_tls_resumed_total", "counter",
         "TLS handshakes resumed from a session ticket.", sum_workers(m, &WorkerCounters::tls_resumed));
  metric(out, "levelcast_tls_handshake_failures_total", "counter",
         "TLS handshakes that failed (bad input, old protocol, timeout excluded).",
         sum_workers(m, &WorkerCounters::tls_handshake_failures));
  metric(out, "levelcast_tls_kernel_sends_total", "counter",
         "TLS handshakes after which the kernel encrypts the connection's records (kTLS).",
         sum_workers(m, &WorkerCounters::tls_kernel_sends));
  metric(out, "levelcast_tls_ticket_key_rotations_total", "counter",
         "Session ticket keys made after the first (--tls-ticket-rotation).", m.tls_ticket_rotations());
  fmt::format_to(out,
                 "# HELP levelcast_tls_cert_expiry_seconds Seconds until the TLS certificate "
                 "expires (negative: expired).\n# TYPE levelcast_tls_cert_expiry_seconds gauge\n"
                 "levelcast_tls_cert_expiry_seconds {}\n",
                 not_after - static_cast<int64_t>(std::time(nullptr)));
}

// Subscribers by transport: a channel's form says whether its subscribers hold an SSE stream.
void render_subscribers(Out out, const ServerMetrics& m) {
  uint64_t websocket = 0, sse = 0;
  for (uint32_t channel = 0; channel < m.channel_count(); ++channel) {
    const uint64_t n = m.channel_subscribers(channel);
    (TopicRegistry::form_of(channel) == Format::sse ? sse : websocket) += n;
  }
  fmt::format_to(out,
                 "# HELP levelcast_subscribers Subscribers by transport.\n"
                 "# TYPE levelcast_subscribers gauge\n"
                 "levelcast_subscribers{{transport=\"websocket\"}} {}\n"
                 "levelcast_subscribers{{transport=\"sse\"}} {}\n",
                 websocket, sse);
}

void render_cluster(Out out, const ClusterCounters& c) {
  metric(out, "levelcast_cluster_connected", "gauge", "1 while the relay's Redis subscription is up.",
         read(c.connected));
  metric(out, "levelcast_cluster_published_total", "counter", "Snapshots this node wrote to Redis.",
         read(c.published));
  metric(out, "levelcast_cluster_relayed_total", "counter", "Remote snapshots relayed to this node's workers.",
         read(c.relayed));
  metric(out, "levelcast_cluster_gaps_filled_total", "counter",
         "Snapshots read back from a topic's stream to fill a gap.", read(c.gaps_filled));
  metric(out, "levelcast_cluster_reconnects_total", "counter",
         "Relay reconnections after a lost or silent subscription.", read(c.reconnects));
  fmt::format_to(out,
                 "# HELP levelcast_cluster_relay_latency_seconds From the owner's hand-off to the relay's.\n"
                 "# TYPE levelcast_cluster_relay_latency_seconds summary\n"
                 "levelcast_cluster_relay_latency_seconds_sum {}\n"
                 "levelcast_cluster_relay_latency_seconds_count {}\n",
                 static_cast<double>(read(c.relay_latency_micros)) / 1e6, read(c.relay_latency_count));
}
}  // namespace

std::string render_metrics(const ServerMetrics& m) {
  std::string text;
  Out out(text);
  metric(out, "levelcast_connections", "gauge", "Open client connections.",
         sum_workers(m, &WorkerCounters::connections));
  metric(out, "levelcast_connections_accepted_total", "counter", "Connections accepted.",
         read(m.acceptor().accepted));
  metric(out, "levelcast_connections_rejected_total", "counter",
         "Connections refused with 503 over --max-connections.", read(m.acceptor().rejected_over_limit));
  metric(out, "levelcast_connections_rejected_per_ip_total", "counter",
         "Connections refused with 429 over --max-connections-per-ip.",
         read(m.acceptor().rejected_per_address));
  metric(out, "levelcast_connections_closed_at_once_total", "counter",
         "Connections closed unanswered at accept: far over a connection limit.",
         read(m.acceptor().closed_at_once));
  metric(out, "levelcast_snapshots_total", "counter", "Snapshots measured by all sources.",
         sum_producers(m, &ProducerCounters::snapshots));
  // Unlabelled: the JSON frames, one per snapshot; the binary ones are counted apart.
  metric(out, "levelcast_frames_encoded_total", "counter",
         "JSON snapshot frames encoded (once per snapshot, whatever the subscribers).",
         sum_producers(m, &ProducerCounters::frames_encoded));
  metric(out, "levelcast_binary_frames_encoded_total", "counter",
         "Binary snapshot frames encoded (once per snapshot).",
         sum_producers(m, &ProducerCounters::binary_frames_encoded));
  metric(out, "levelcast_sse_events_encoded_total", "counter",
         "Server-Sent Events snapshot texts encoded (once per snapshot).",
         sum_producers(m, &ProducerCounters::sse_encoded));
  metric(out, "levelcast_frames_compressed_total", "counter",
         "Snapshot frames compressed for permessage-deflate (once per snapshot and format).",
         sum_producers(m, &ProducerCounters::frames_compressed));
  render_subscribers(out, m);
  metric(out, "levelcast_schedule_restarts_total", "counter",
         "Times a paced source fell more than 1 s behind (a stalled or starved process) and "
         "restarted its schedule: the ticks missed were not produced.",
         sum_producers(m, &ProducerCounters::schedule_restarts));
  metric(out, "levelcast_bad_samples_total", "counter",
         "Non-finite audio samples (NaN, infinity), measured as full scale.",
         sum_producers(m, &ProducerCounters::bad_samples));
  metric(out, "levelcast_messages_sent_total", "counter", "WebSocket messages written to clients.",
         sum_workers(m, &WorkerCounters::messages_sent));
  metric(out, "levelcast_bytes_sent_total", "counter", "Bytes written to clients.",
         sum_workers(m, &WorkerCounters::bytes_sent));
  metric(out, "levelcast_messages_dropped_total", "counter",
         "Snapshots replaced by a newer one before a slow client took them.",
         sum_workers(m, &WorkerCounters::messages_dropped));
  metric(out, "levelcast_frames_skipped_total", "counter",
         "Snapshots a worker did not write: queued longer than --max-lag with a newer one "
         "behind them.",
         sum_workers(m, &WorkerCounters::frames_skipped));
  if (const int64_t not_after = m.tls_cert_not_after(); not_after != 0) {
    render_tls(out, m, not_after);
  }
  metric(out, "levelcast_log_lines_dropped_total", "counter",
         "Log lines dropped because the log output (stderr, the log file) was too slow.",
         log_lines_dropped());
  if (m.cluster_enabled()) render_cluster(out, m.cluster());
  fmt::format_to(out, "# HELP levelcast_worker_connections Open connections per worker.\n"
                      "# TYPE levelcast_worker_connections gauge\n");
  for (size_t i = 0; i < m.worker_count(); ++i) {
    fmt::format_to(out, "levelcast_worker_connections{{worker=\"{}\"}} {}\n", i,
                   read(m.worker(i).connections));
  }
  return text;
}

}  // namespace levelcast
