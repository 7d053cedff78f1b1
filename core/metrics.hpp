#pragma once
// Server counters. Each counter has exactly one writing thread (a worker, the acceptor or a
// producer), which bumps it with a relaxed load+store: no locked instruction on the hot path.
// Any thread may read them (relaxed) to render /metrics.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace levelcast {

using Counter = std::atomic<uint64_t>;

// Single-writer increment: cheaper than fetch_add, correct because only the owner writes.
inline void bump(Counter& counter, uint64_t n = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}
inline uint64_t read(const Counter& counter) { return counter.load(std::memory_order_relaxed); }

// Written by one worker thread only.
struct alignas(64) WorkerCounters {
  Counter connections{0};        // open connections owned by the worker (gauge)
  Counter messages_sent{0};      // WebSocket messages fully handed to the kernel
  Counter bytes_sent{0};
  Counter messages_dropped{0};   // snapshots replaced by a newer one before being sent
  Counter frames_skipped{0};     // broadcasts not written: past --max-lag, a newer one queued
  Counter connections_closed{0};
  Counter tls_handshakes{0};          // TLS handshakes completed, full and resumed
  Counter tls_resumed{0};             // of those, resumed from a session ticket
  Counter tls_handshake_failures{0};  // TLS handshakes that failed (bad input, old protocol)
  Counter tls_kernel_sends{0};        // TLS handshakes after which the kernel encrypts (kTLS)
};

// Written by the acceptor thread only.
struct alignas(64) AcceptorCounters {
  Counter accepted{0};
  Counter rejected_over_limit{0};
  Counter rejected_per_address{0};  // over --max-connections-per-ip: answered 429
  Counter closed_at_once{0};        // far over a limit: closed without an answer
};

// Open connections per client address, kept in buckets chosen by a keyed hash of the address
// (two addresses rarely share one; when they do, they share its limit). Bucket 0 means "not
// counted". The acceptor adds, the worker that closes the connection removes: one atomic
// read-modify-write per connection, never per message. Safe from any thread.
class PeerConnectionCounts {
 public:
  static constexpr size_t kBuckets = 65536;
  PeerConnectionCounts() : counts_(std::make_unique<std::atomic<uint32_t>[]>(kBuckets)) {}
  // The bucket's count after adding this connection.
  uint32_t add(uint16_t bucket) { return counts_[bucket].fetch_add(1, std::memory_order_relaxed) + 1; }
  void remove(uint16_t bucket) {
    if (bucket != 0) counts_[bucket].fetch_sub(1, std::memory_order_relaxed);
  }

 private:
  std::unique_ptr<std::atomic<uint32_t>[]> counts_;
};

// Written by producer threads (one Counter set per producer).
struct alignas(64) ProducerCounters {
  Counter snapshots{0};
  Counter frames_encoded{0};         // JSON frames: one per snapshot
  Counter binary_frames_encoded{0};  // binary frames: one per snapshot
  Counter sse_encoded{0};            // Server-Sent Events texts: one per snapshot
  Counter frames_compressed{0};      // permessage-deflate: one per snapshot and format
  Counter bad_samples{0};
  Counter schedule_restarts{0};      // a paced source more than 1 s late: its schedule restarted            // non-finite samples (NaN, infinity) measured as full scale
};

// Written by the cluster threads: the publisher's counters by the publisher thread, the rest by
// the relay thread.
struct alignas(64) ClusterCounters {
  Counter connected{0};            // the relay's subscription is up (gauge, 0 or 1)
  Counter published{0};            // snapshots written to Redis by this node's publisher
  Counter relayed{0};              // remote snapshots handed to the workers
  Counter gaps_filled{0};          // snapshots read back from a stream to fill a gap
  Counter reconnects{0};           // relay reconnections after a lost or silent subscription
  Counter relay_latency_micros{0};  // sum over relayed snapshots: owner's hand-off to relay's
  Counter relay_latency_count{0};
};

class ServerMetrics {
 public:
  ServerMetrics(size_t workers, size_t producers, size_t channels = 1);

  // Subscribers of a broadcast channel on one worker (gauge), written by that worker only.
  Counter& subscribers(size_t worker, size_t channel) { return subscribers_[worker * channels_ + channel]; }
  uint64_t channel_subscribers(size_t channel) const;

  WorkerCounters& worker(size_t i) { return workers_[i]; }
  const WorkerCounters& worker(size_t i) const { return workers_[i]; }
  size_t worker_count() const { return worker_count_; }
  ProducerCounters& producer(size_t i) { return producers_[i]; }
  const ProducerCounters& producer(size_t i) const { return producers_[i]; }
  size_t producer_count() const { return producer_count_; }
  size_t channel_count() const { return channels_; }
  ClusterCounters& cluster() { return cluster_; }
  const ClusterCounters& cluster() const { return cluster_; }
  // Set once at start-up, before any thread reads metrics: the cluster metrics are rendered.
  void enable_cluster() { cluster_enabled_ = true; }
  bool cluster_enabled() const { return cluster_enabled_; }
  AcceptorCounters& acceptor() { return acceptor_; }
  const AcceptorCounters& acceptor() const { return acceptor_; }

  // Open connections across all workers, counted by the acceptor (+1) and workers (-1):
  // the one shared read-modify-write counter, touched once per connection, not per message.
  std::atomic<int64_t>& open_connections() { return open_connections_; }
  PeerConnectionCounts& peer_connections() { return peer_connections_; }

  // The TLS certificate's expiry, Unix seconds; 0 without TLS. Set by the thread that loads
  // certificates (start-up, SIGHUP).
  std::atomic<int64_t>& tls_cert_not_after() { return tls_cert_not_after_; }
  int64_t tls_cert_not_after() const { return tls_cert_not_after_.load(std::memory_order_relaxed); }
  // Session ticket keys made after the first (TicketKeyRing counts them).
  Counter& tls_ticket_rotations() { return tls_ticket_rotations_; }
  uint64_t tls_ticket_rotations() const { return read(tls_ticket_rotations_); }

 private:
  size_t worker_count_;
  size_t producer_count_;
  size_t channels_;
  std::unique_ptr<Counter[]> subscribers_;
  std::unique_ptr<WorkerCounters[]> workers_;
  std::unique_ptr<ProducerCounters[]> producers_;
  AcceptorCounters acceptor_;
  ClusterCounters cluster_;
  bool cluster_enabled_ = false;
  std::atomic<int64_t> open_connections_{0};
  std::atomic<int64_t> tls_cert_not_after_{0};
  Counter tls_ticket_rotations_{0};
  PeerConnectionCounts peer_connections_;
};

}  // namespace levelcast
