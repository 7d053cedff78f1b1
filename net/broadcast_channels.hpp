#pragma once
// BroadcastChannels: one worker's broadcast state, per channel: the subscribers, the latest
// frame (what a new subscriber gets first), the history (what a resuming one replays), and the
// drain pass that takes the frames producers queued and writes each channel's frames to its
// subscribers in one write per subscriber. A resuming subscriber is fed from the history as
// its socket drains (references, never copies; bounded per connection) and joins the live list
// once it has caught up. Owned by one worker; loop thread only.
#include <cstdint>
#include <memory>
#include <vector>

#include "core/metrics.hpp"
#include "net/broadcast_queue.hpp"
#include "net/connection.hpp"
#include "net/fan_out.hpp"
#include "net/frame_history.hpp"
#include "net/frame_leases.hpp"
#include "net/router.hpp"
#include "net/uring_fan_out.hpp"

namespace levelcast {

struct BroadcastConfig {
  size_t channels = 1;
  size_t history = 256;  // snapshot frames kept per channel
  // A frame queued longer than this, with a newer one of its channel behind it, is not written;
  // 0: every frame is written, however late.
  int64_t max_lag_ns = 250'000'000;
  PendingBound bound;  // per subscriber: queued frames past this, latest value wins
};

class BroadcastChannels {
 public:
  BroadcastChannels(const BroadcastConfig& config, FrameLeases& leases, WorkerCounters& counters,
                    const RequestRouter& router);
  BroadcastChannels(const BroadcastChannels&) = delete;
  BroadcastChannels& operator=(const BroadcastChannels&) = delete;

  // Rounds go out as one io_uring submission from now on (the ring is the loop thread's).
  void use_uring(std::unique_ptr<UringFanOut> uring) { uring_ = std::move(uring); }
  bool uses_uring() const { return uring_ != nullptr; }
  // TLS subscribers' records are made in this scratch (the worker's, shared by its sessions).
  void use_tls(TlsBuffers* buffers) { tls_buffers_ = buffers; }
  const BroadcastConfig& config() const { return config_; }

  // One pass over the frames queued now. Every frame is kept (latest, history); with `write`
  // the channel's frames of the pass go to its subscribers, but for stale ones (frame_skip.hpp).
  // Connections whose output went pending or whose socket broke are appended to `lists`.
  void drain(BroadcastQueue& queue, bool write, FanOutLists lists);

  // `c` (upgraded) subscribes to `channel`; with `resume`, it first gets the held snapshots
  // after `since` (a since newer than any held one starts afresh, as a new subscriber).
  void subscribe(Connection& c, uint32_t channel, bool resume, uint64_t since);
  void unsubscribe(Connection& c);
  // A resuming subscriber with no frames pending: queue its next held frames, or let it join
  // the live subscribers once it has caught up.
  void continue_replay(Connection& c);
  static bool resuming(const Connection& c) { return c.replay_next != 0; }

  size_t subscriber_count(uint32_t channel) const { return subscribers_[channel].size(); }
  // Releases every held frame and everything still queued (the worker is stopping).
  void release_all(BroadcastQueue& queue);

 private:
  void hold_frame(const BroadcastItem& item, HeldFrame* held);
  void write_batch(uint32_t channel, FrameBatch& batch, FanOutLists lists);
  void join_live(Connection& c);

  BroadcastConfig config_;
  FrameLeases& leases_;
  WorkerCounters& counters_;
  const RequestRouter& router_;
  std::vector<std::vector<Connection*>> subscribers_;  // per channel: the live ones
  std::vector<HeldFrame*> latest_;                     // per channel
  std::vector<FrameHistory> history_;                  // per channel
  std::vector<FrameBatch> batches_;                    // per channel: its frames of the pass
  std::vector<uint32_t> touched_;                      // channels with frames in the pass
  // drain(): the frames taken in one pass, and per channel the index of its newest frame there.
  std::vector<BroadcastItem> pending_;
  std::vector<size_t> last_in_pass_;
  std::unique_ptr<UringFanOut> uring_;  // null: one send()/sendmsg() per subscriber
  TlsBuffers* tls_buffers_ = nullptr;   // null: no TLS listener
};

}  // namespace levelcast
