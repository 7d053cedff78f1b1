#include "net/broadcast_channels.hpp"

#include <algorithm>

#include "core/check.hpp"
#include "core/clock.hpp"
#include "net/frame_skip.hpp"

namespace levelcast {
namespace {
constexpr size_t kDequeueBatch = 64;
constexpr size_t kPendingReserve = 1024;
// Frames per write: a long burst of one channel (a file read faster than real time) goes out
// in runs of this many iovecs.
constexpr size_t kMaxFramesPerWrite = 64;
}  // namespace

BroadcastChannels::BroadcastChannels(const BroadcastConfig& config, FrameLeases& leases,
                                     WorkerCounters& counters, const RequestRouter& router)
    : config_(config),
      leases_(leases),
      counters_(counters),
      router_(router),
      subscribers_(config.channels),
      latest_(config.channels, nullptr),
      batches_(config.channels),
      last_in_pass_(config.channels, 0) {
  for (size_t i = 0; i < config.channels; ++i) history_.emplace_back(std::max<size_t>(1, config.history));
  // Room for a long stall's worth of frames, so that draining them does not allocate.
  pending_.reserve(kPendingReserve);
  touched_.reserve(config.channels);
}

void BroadcastChannels::drain(BroadcastQueue& queue, bool write, FanOutLists lists) {
  pending_.clear();
  const size_t queued = std::max<size_t>(queue.size_approx(), 1);
  BroadcastItem taken[kDequeueBatch];
  size_t n;
  while (pending_.size() < queued && (n = queue.try_dequeue_bulk(taken, kDequeueBatch)) > 0) {
    pending_.insert(pending_.end(), taken, taken + n);
  }
  for (size_t i = 0; i < pending_.size(); ++i) {
    LC_CHECK(pending_[i].channel < last_in_pass_.size());
    last_in_pass_[pending_[i].channel] = i;
  }
  for (size_t i = 0; i < pending_.size(); ++i) {
    const BroadcastItem& item = pending_[i];
    HeldFrame* held = leases_.hold(item.frame);  // this use is the batch's, or dropped below
    hold_frame(item, held);
    // The clock is read only for frames that are not their channel's newest in the pass: in
    // normal operation, never. Judged as the frame's turn comes, so a long pass ages them.
    const bool newest = last_in_pass_[item.channel] == i;
    if (!write || should_skip_frame(newest, newest ? 0 : mono_nanos() - item.published_ns,
                                    config_.max_lag_ns)) {
      if (write) bump(counters_.frames_skipped);
      leases_.unuse(held);
      continue;
    }
    FrameBatch& batch = batches_[item.channel];
    if (batch.empty()) touched_.push_back(item.channel);
    batch.add(held);
    if (batch.size() == kMaxFramesPerWrite) write_batch(item.channel, batch, lists);
  }
  for (uint32_t channel : touched_) write_batch(channel, batches_[channel], lists);
  touched_.clear();
}

// Each frame is kept as its channel's latest (for new subscribers) and in its history (for
// resuming ones).
void BroadcastChannels::hold_frame(const BroadcastItem& item, HeldFrame* held) {
  HeldFrame*& latest = latest_[item.channel];
  if (latest != nullptr) leases_.unuse(latest);
  latest = held;
  FrameLeases::use(held);
  if (held->frame->seq() != 0) history_[item.channel].push(held, leases_);
}

void BroadcastChannels::write_batch(uint32_t channel, FrameBatch& batch, FanOutLists lists) {
  if (batch.empty()) return;
  FanOutContext ctx{leases_, config_.bound, lists, tls_buffers_};
  const FanOutResult r = uring_ ? uring_->fan_out(subscribers_[channel], batch, ctx)
                                : fan_out_frames(subscribers_[channel], batch, ctx);
  bump(counters_.messages_sent, r.sent);
  bump(counters_.bytes_sent, r.bytes);
  bump(counters_.messages_dropped, r.dropped);
  for (HeldFrame* held : batch.frames()) leases_.unuse(held);
  batch.clear();
}

void BroadcastChannels::subscribe(Connection& c, uint32_t channel, bool resume, uint64_t since) {
  LC_CHECK(channel < subscribers_.size());
  c.role = Role::subscriber;
  c.channel = channel;
  const FrameHistory& history = history_[channel];
  if (resume && !history.empty() && since <= history.newest_seq()) {
    c.replay_next = since + 1;
    continue_replay(c);
    return;
  }
  join_live(c);
  HeldFrame* latest = latest_[channel];
  if (latest != nullptr && latest->frame->seq() != 0) c.out.offer(latest, leases_, config_.bound);
}

void BroadcastChannels::join_live(Connection& c) {
  c.replay_next = 0;
  auto& list = subscribers_[c.channel];
  c.subscriber_index = static_cast<uint32_t>(list.size());
  list.push_back(&c);
  // An event after the last snapshot (the topic ended) is what a new subscriber learns last.
  HeldFrame* latest = latest_[c.channel];
  if (latest != nullptr && latest->frame->seq() == 0) c.out.offer(latest, leases_, config_.bound);
}

// Called with no frames pending, so that a `missed` notice (own bytes, which go out before
// waiting frames) stays in sequence.
void BroadcastChannels::continue_replay(Connection& c) {
  LC_CHECK(resuming(c) && c.out.frames_empty());
  const FrameHistory& history = history_[c.channel];
  if (history.empty() || c.replay_next > history.newest_seq()) {
    join_live(c);
    return;
  }
  if (c.replay_next < history.oldest_seq()) {
    c.out.append_own(router_.missed_notice(c.channel, history.oldest_seq() - c.replay_next));
    c.replay_next = history.oldest_seq();
  }
  size_t i = history.first_at_or_after(c.replay_next);
  for (; i < history.size() && c.out.has_room(*history.at(i), config_.bound); ++i) {
    c.out.offer(history.at(i), leases_, config_.bound);
  }
  if (i == history.size()) {
    join_live(c);
  } else {
    c.replay_next = history.at(i)->frame->seq();
  }
}

void BroadcastChannels::unsubscribe(Connection& c) {
  if (c.role != Role::subscriber) return;
  if (!resuming(c)) {
    auto& list = subscribers_[c.channel];
    Connection* moved = list.back();
    list[c.subscriber_index] = moved;
    moved->subscriber_index = c.subscriber_index;
    list.pop_back();
  }
  c.replay_next = 0;
  c.role = Role::none;
  c.out.drop_waiting(leases_);
}

void BroadcastChannels::release_all(BroadcastQueue& queue) {
  for (FrameHistory& history : history_) history.clear(leases_);
  for (HeldFrame*& latest : latest_) {
    if (latest != nullptr) leases_.unuse(latest);
    latest = nullptr;
  }
  BroadcastItem item;
  while (queue.try_dequeue(item)) item.frame->release();
}

}  // namespace levelcast
