// The worker's per-message path: one recv() into the worker's buffer, frames parsed in place,
// the two measured fields probed, replies written. No allocation here except when a frame is
// split across reads (the connection's carry) or the socket does not take a write whole.
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "load_worker.hpp"
#include "snapshot_probe.hpp"
#include "sse_scanner.hpp"

namespace levelcast::load {
namespace {

// Room always left after a carried tail, so a read never asks for only a few bytes.
constexpr std::size_t kMinReadSpace = 64 * 1024;

}  // namespace

// Edge-triggered: reads until a read comes back short, which for TCP means the receive queue
// was empty. Level-triggered epoll would poll every socket it reported once more on the next
// wait, which costs more than the rare second read here.
void LoadWorker::on_readable(Connection& c) {
  // TLS: a write waiting for the server's handshake flight goes on now that it may have come.
  if (c.ssl != nullptr && !c.unsent.empty()) flush_unsent(c);
  while (c.fd >= 0 && c.pending_close == CloseReason::none) {
    const std::size_t carried = c.carry.size();
    if (carried != 0) std::memcpy(read_buffer_.data(), c.carry.data(), carried);
    const std::size_t space = read_buffer_.size() - carried;
    const ssize_t got = read_some(c, read_buffer_.data() + carried, space);
    if (got <= 0) {
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
      const bool expected = c.state == ConnectionState::closing;
      c.pending_close = expected   ? CloseReason::finished
                        : got == 0 ? CloseReason::peer_closed
                                   : CloseReason::io_error;
      return;
    }
    c.carry.clear();
    on_bytes(c, std::string_view(read_buffer_.data(), carried + static_cast<std::size_t>(got)));
    // A short TLS read is one record: only "would block" says the socket is empty.
    if (c.ssl == nullptr && static_cast<std::size_t>(got) < space) return;
  }
}

void LoadWorker::on_bytes(Connection& c, std::string_view bytes) {
  const std::int64_t now_us = realtime_micros();
  const bool in_window = is_in_window(now_us);
  if (c.state == ConnectionState::upgrading) {
    bytes = accept_upgrade(c, bytes, now_us);
    if (c.state != ConnectionState::open || bytes.empty()) return;
  } else if (in_window) {
    ++stats_.reads_in_window;
  }
  if (options_.sse) {
    consume_events(c, bytes, now_us, in_window);
  } else {
    consume_frames(c, bytes, now_us, in_window);
  }
}

// Server-Sent Events: each event with data is a message; its data is the JSON snapshot.
void LoadWorker::consume_events(Connection& c, std::string_view bytes, std::int64_t now_us, bool in_window) {
  const EventScan scan = scan_sse_events(bytes, [&](std::string_view data, bool named) {
    if (named) return;  // ended, missed: not snapshots
    if (in_window) {
      ++stats_.messages_in_window;
      ++c.window_messages;
    }
    record_snapshot(c, ServerFrame{Opcode::text, true, data}, now_us, in_window);
  });
  if (scan.consumed < bytes.size()) {
    c.carry.assign(bytes.begin() + static_cast<std::ptrdiff_t>(scan.consumed), bytes.end());
    const std::size_t needed = c.carry.size() + kMinReadSpace;
    if (read_buffer_.size() < needed) read_buffer_.resize(needed);
  }
}

void LoadWorker::consume_frames(Connection& c, std::string_view bytes, std::int64_t now_us,
                                bool in_window) {
  echoes_due_ = 0;
  const FrameScan scan = scan_server_frames(
      bytes,
      [&](const ServerFrame& frame) {
        on_frame(c, frame, now_us, in_window);
        return c.pending_close == CloseReason::none;
      },
      options_.deflate);
  if (scan.protocol_error) {
    c.pending_close = CloseReason::protocol_error;
    return;
  }
  if (c.pending_close != CloseReason::none) return;
  if (scan.consumed < bytes.size()) {
    c.carry.assign(bytes.begin() + static_cast<std::ptrdiff_t>(scan.consumed), bytes.end());
    // The whole frame must fit after the next read; `bytes` is not used past this point.
    const std::size_t needed = std::max(scan.pending_frame_size, c.carry.size()) + kMinReadSpace;
    if (read_buffer_.size() < needed) read_buffer_.resize(needed);
  }
  if (echoes_due_ != 0 && c.state == ConnectionState::open && phase_ != RunPhase::closing) {
    send_echoes(c, echoes_due_, now_us);
  }
}

void LoadWorker::on_frame(Connection& c, const ServerFrame& frame, std::int64_t now_us,
                          bool in_window) {
  switch (frame.opcode) {
    case Opcode::text:
    case Opcode::binary:
      // A message counts when its first frame arrives; continuation frames are not looked at.
      if (in_window) {
        ++stats_.messages_in_window;
        ++c.window_messages;
      }
      if (options_.mode == LoadMode::fanout) record_snapshot(c, frame, now_us, in_window);
      if (options_.mode == LoadMode::echo) {
        record_echo(frame, now_us, in_window);
        ++echoes_due_;
      }
      break;
    case Opcode::continuation:
    case Opcode::pong:
      break;
    case Opcode::ping: {
      char pong[kMaxClientHeaderSize + kMaxControlPayload];
      send_bytes(
          c, std::string_view(pong, write_client_frame(pong, Opcode::pong, frame.payload, c.mask)));
      break;
    }
    case Opcode::close:
      if (c.state == ConnectionState::open) {
        char reply[kMaxClientHeaderSize + 2];
        send_bytes(c, std::string_view(reply, write_close_frame(reply, 1000, c.mask)));
        c.pending_close = CloseReason::peer_closed;
      } else {
        c.pending_close = CloseReason::finished;
      }
      break;
  }
}

void LoadWorker::record_snapshot(Connection& c, const ServerFrame& frame, std::int64_t now_us,
                                 bool in_window) noexcept {
  SnapshotStamp stamp;
  std::string_view payload = frame.payload;
  if (frame.compressed) payload = inflater_.inflate(payload);  // empty when corrupt
  const bool parsed = frame.opcode == Opcode::text ? probe_json_snapshot(payload, stamp)
                                                   : probe_binary_snapshot(payload, stamp);
  if (!parsed) {
    if (in_window) ++stats_.unparsed_in_window;
    return;
  }
  if (stamp.seq >= 0) track_sequence(c, stamp.seq);
  if (in_window && stamp.ts_us >= 0) stats_.latency.record(now_us - stamp.ts_us);
}

void LoadWorker::record_echo(const ServerFrame& frame, std::int64_t now_us,
                             bool in_window) noexcept {
  if (!in_window) return;
  if (frame.payload.size() < sizeof(std::int64_t)) {
    ++stats_.unparsed_in_window;
    return;
  }
  std::int64_t sent_us = 0;
  std::memcpy(&sent_us, frame.payload.data(), sizeof sent_us);
  stats_.latency.record(now_us - sent_us);
}

// Sequence numbers are checked over the whole run, from each connection's first message.
void LoadWorker::track_sequence(Connection& c, std::int64_t seq) noexcept {
  if (c.last_seq >= 0) {
    if (seq <= c.last_seq) {
      ++stats_.duplicates;
      return;
    }
    if (seq > c.last_seq + 1) {
      ++stats_.seq_gaps;
      stats_.seq_missing += static_cast<std::uint64_t>(seq - c.last_seq - 1);
    }
  }
  c.last_seq = seq;
}

// Echo payloads: the send time (8 bytes, this machine's order) and then filler.
void LoadWorker::send_echoes(Connection& c, std::size_t count, std::int64_t now_us) {
  const std::size_t size = options_.size;
  const std::size_t frame_size = client_frame_size(size);
  char* const buffer = write_buffer_.data();
  std::size_t used = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (used + frame_size > write_buffer_.size()) {
      send_bytes(c, std::string_view(buffer, used));
      used = 0;
    }
    char* const frame = buffer + used;
    const std::size_t header_size = write_client_frame_header(frame, Opcode::binary, size, c.mask);
    char* const payload = frame + header_size;
    std::memcpy(payload, &now_us, sizeof now_us);
    std::memset(payload + sizeof now_us, 'x', size - sizeof now_us);
    mask_payload(payload, size, c.mask);
    used += header_size + size;
  }
  if (used != 0) send_bytes(c, std::string_view(buffer, used));
}

// Tries the write at once; whatever the socket does not take waits for EPOLLOUT.
void LoadWorker::send_bytes(Connection& c, std::string_view bytes) {
  if (c.fd < 0 || c.pending_close != CloseReason::none) return;
  if (!c.unsent.empty()) {
    c.unsent.insert(c.unsent.end(), bytes.begin(), bytes.end());
    return;
  }
  const ssize_t sent = write_some(c, bytes.data(), bytes.size());
  if (sent < 0 && errno != EAGAIN && errno != EINTR) {
    c.pending_close = CloseReason::io_error;
    return;
  }
  const std::size_t taken = sent < 0 ? 0 : static_cast<std::size_t>(sent);
  if (taken == bytes.size()) return;
  c.unsent.assign(bytes.begin() + static_cast<std::ptrdiff_t>(taken), bytes.end());
  watch(c, EPOLLIN | EPOLLOUT);
}

void LoadWorker::flush_unsent(Connection& c) {
  if (c.unsent.empty()) return;
  const ssize_t sent = write_some(c, c.unsent.data(), c.unsent.size());
  if (sent < 0) {
    if (errno != EAGAIN && errno != EINTR) c.pending_close = CloseReason::io_error;
    return;
  }
  c.unsent.erase(c.unsent.begin(), c.unsent.begin() + sent);
  if (c.unsent.empty()) watch(c, EPOLLIN);
}

void LoadWorker::watch(const Connection& c, std::uint32_t events) {
  epoll_event event{};
  event.events = events | EPOLLET;
  event.data.u64 = token_of(c);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &event);
}

}  // namespace levelcast::load
