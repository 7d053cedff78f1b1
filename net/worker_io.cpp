// The per-connection half of Worker: reading, the HTTP upgrade, the WebSocket protocol, writing.
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/check.hpp"
#include "core/log.hpp"
#include "net/handshake.hpp"
#include "net/http_response.hpp"
#include "net/tls_fan_out.hpp"
#include "net/sse.hpp"
#include "net/worker.hpp"

namespace levelcast {
namespace {
constexpr int kReadsPerEvent = 4;  // fairness: one busy client cannot starve the others
constexpr size_t kKeepInputCapacity = 16 * 1024;
constexpr int kReplayRoundsPerFlush = 4;
}

// The ws_reader policy: protocol events of one connection, turned into worker actions.
struct FrameEvents {
  Worker& worker;
  Connection& c;

  bool on_message(Opcode opcode, std::span<uint8_t> payload) {
    if (c.phase != Phase::websocket || c.role != Role::echo) return true;
    append_frame(c.out.own_bytes(), opcode, payload);
    bump(worker.counters_.messages_sent);
    return true;
  }
  // permessage-deflate: inflated with the worker's one inflater, the limit enforced while it
  // inflates (a small frame that would inflate past it costs no more than the limit).
  bool on_compressed_message(Opcode opcode, std::span<uint8_t> payload) {
    std::string& plain = worker.inflated_;
    switch (worker.inflater_.inflate(payload, c.max_message, plain)) {
      case InflateStatus::too_big:
        on_protocol_error(CloseCode::message_too_big, "message too big once inflated");
        return false;
      case InflateStatus::corrupt:
        on_protocol_error(CloseCode::invalid_payload, "compressed message is not valid deflate data");
        return false;
      case InflateStatus::ok: break;
    }
    if (opcode == Opcode::text && !is_valid_utf8(as_bytes(plain))) {
      on_protocol_error(CloseCode::invalid_payload, "text is not UTF-8");
      return false;
    }
    const bool more = on_message(opcode, {reinterpret_cast<uint8_t*>(plain.data()), plain.size()});
    if (plain.capacity() > kKeepInputCapacity) std::string().swap(plain);
    return more;
  }
  bool on_ping(std::span<uint8_t> payload) {
    if (c.phase == Phase::websocket) c.out.set_pong(payload);
    return true;
  }
  bool on_pong(std::span<uint8_t>) { return true; }
  bool on_close(uint16_t code, std::string_view) {
    if (c.phase == Phase::websocket) {
      // Echo the client's code (none given: an empty close), then shut our side.
      worker.unsubscribe(c);
      if (code == static_cast<uint16_t>(CloseCode::no_status)) {
        append_frame(c.out.own_bytes(), Opcode::close, {});
      } else {
        append_close_frame(c.out.own_bytes(), code, {});
      }
    }
    c.phase = Phase::closing;
    c.phase_since = worker.now_;
    c.close_after_flush = true;
    c.close_received = true;
    return false;
  }
  void on_protocol_error(CloseCode code, std::string_view why) {
    LC_LOG(debug, "connection {}: closing with {}: {}", c.slot, static_cast<int>(code), why);
    worker.start_close(c, code, why);
    c.close_after_flush = true;  // the stream can no longer be parsed: do not wait for a reply
  }
};

void Worker::on_readable(Connection& c) {
  for (int i = 0; i < kReadsPerEvent && !c.dead; ++i) {
    // Over this turn's TLS handshake budget: the socket stays readable and comes back next
    // turn, after the broadcasts of this one. Its handshake clock stands still meanwhile.
    if (c.tls != nullptr && !c.tls->handshake_done() && handshakes_left_ <= 0) {
      c.tls->handshake_clock().hold(now_);
      return;
    }
    if (c.tls != nullptr && c.tls->reads_socket()) {
      if (!read_tls_socket(c)) break;
      continue;
    }
    const ssize_t n = ::recv(c.fd, read_buffer_.get(), kReadBufferBytes, 0);
    if (n == 0) {
      close_connection(c);
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) close_connection(c);
      break;
    }
    c.last_receive = now_;
    const std::span<uint8_t> received(read_buffer_.get(), static_cast<size_t>(n));
    if (c.phase != Phase::lingering) {
      if (c.tls == nullptr) {
        process_input(c, received);
      } else if (!take_tls_input(c, received)) {
        return;
      }
    }
    if (static_cast<size_t>(n) < kReadBufferBytes) break;
  }
  if (!c.dead) flush(c);
}

void Worker::process_input(Connection& c, std::span<uint8_t> fresh) {
  std::span<uint8_t> input = fresh;
  const bool buffered = !c.in.empty();
  if (buffered) {
    c.in.append(reinterpret_cast<const char*>(fresh.data()), fresh.size());
    input = {reinterpret_cast<uint8_t*>(c.in.data()), c.in.size()};
  }
  size_t used = 0;
  if (c.phase == Phase::http) used = handle_http(c, input);
  // After the client's close or a protocol error (close_after_flush), input is not parsed:
  // it is to be ignored, and after an error it cannot be framed any more.
  if ((c.phase == Phase::websocket || c.phase == Phase::closing) && !c.close_after_flush) {
    used += handle_frames(c, input.subspan(used));
  }
  if (c.close_after_flush || c.phase == Phase::lingering || c.phase == Phase::stream) used = input.size();
  if (buffered) {
    c.in.erase(0, used);
    // A large message has passed: give its memory back rather than keep it per connection.
    if (c.in.empty() && c.in.capacity() > kKeepInputCapacity) std::string().swap(c.in);
  } else if (used < input.size()) {
    c.in.assign(reinterpret_cast<const char*>(input.data()) + used, input.size() - used);
  }
}

size_t Worker::handle_http(Connection& c, std::span<uint8_t> input) {
  const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
  const HeadScan scan = scan_request_head(text, config_.limits.max_header_bytes);
  if (scan.status == HeadStatus::need_more) return 0;
  const bool head = text.starts_with("HEAD ");
  if (scan.status == HeadStatus::too_large) {
    respond_error(c, 431, "request head too large", {}, head);
    return input.size();
  }
  if (scan.status == HeadStatus::not_http) {  // TLS, HTTP/2 or noise: no reason to wait
    respond_error(c, 400, "not an HTTP/1.1 request", {}, head);
    return input.size();
  }
  HttpRequest request;
  if (const RequestError e = parse_request_head(text.substr(0, scan.length), request);
      e != RequestError::none) {
    respond_error(c, status_for(e), describe(e), {}, head);
  } else if (over_a_limit(c.admission) && !router_.exempt_from_limits(request)) {
    const bool per_address = c.admission == Admission::over_address_limit;
    respond_error(c, per_address ? 429 : 503,
                  per_address ? "too many connections from your address" : "connection limit reached",
                  {}, head);
  } else {
    answer_request(c, request);
  }
  return scan.length;
}

void Worker::answer_request(Connection& c, const HttpRequest& request) {
  RouteDecision decision;
  decision.admin_listener = c.admission == Admission::admin;
  router_.route(request, decision);
  const bool head = request.method == "HEAD";
  if (decision.action == RouteDecision::Action::respond) {
    decision.head_only = decision.head_only || head;
    respond(c, decision);
    return;
  }
  if (decision.action == RouteDecision::Action::stream_subscribe) {
    start_stream(c, decision);
    return;
  }
  const HandshakeVerdict verdict = check_websocket_upgrade(request);
  if (verdict.status == 426) {
    respond_error(c, 426, verdict.reason, "Sec-WebSocket-Version: 13\r\n", head);
  } else if (verdict.status != 0) {
    respond_error(c, verdict.status, verdict.reason, verdict.status == 405 ? "Allow: GET\r\n" : "",
                  head);
  } else {
    upgrade(c, request, decision);
  }
}

// A shared body goes out by reference, behind the headers, like a broadcast frame.
void Worker::respond(Connection& c, const RouteDecision& d) {
  SharedFrame* shared = d.shared_body.get();
  if (shared == nullptr && d.content_length == 0) {
    append_response(c.out.own_bytes(), d.status, d.content_type, d.body, d.extra_headers, d.head_only);
  } else {
    append_response_head(c.out.own_bytes(), d.status, d.content_type,
                         shared != nullptr ? shared->size() : d.content_length, d.extra_headers);
  }
  if (shared != nullptr) {
    shared->add_refs(1);
    HeldFrame* held = leases_.hold(shared);
    c.out.offer(held, leases_, PendingBound{2, UINT32_MAX});
    leases_.unuse(held);
  }
  c.close_after_flush = true;
}

// A Server-Sent Events stream: the head, the reconnect delay, then the channel's SSE texts.
void Worker::start_stream(Connection& c, const RouteDecision& decision) {
  append_stream_head(c.out.own_bytes(), decision.content_type, decision.extra_headers);
  append_sse_retry(c.out.own_bytes(), config_.sse_retry_ms);
  c.phase = Phase::stream;
  c.phase_since = now_;
  c.token_expiry = decision.token_expiry;
  subscribe(c, decision.channel, decision);
}

void Worker::upgrade(Connection& c, const HttpRequest& request, const RouteDecision& decision) {
  std::optional<std::string> deflate;
  if (config_.permessage_deflate) deflate = negotiate_permessage_deflate(request);
  const std::string extension = deflate ? "Sec-WebSocket-Extensions: " + *deflate + "\r\n" : "";
  append_upgrade_response(c.out.own_bytes(), *request.header("Sec-WebSocket-Key"),
                          decision.extra_headers + extension);
  c.phase = Phase::websocket;
  c.phase_since = now_;
  c.max_message = decision.max_message;
  c.token_expiry = decision.token_expiry;
  if (decision.action == RouteDecision::Action::upgrade_subscribe) {
    // Compressed snapshots are a channel of their own: encoded once, for all who negotiated.
    subscribe(c, deflate ? decision.deflate_channel : decision.channel, decision);
  } else {
    c.role = Role::echo;
    c.message.deflate = deflate.has_value();
  }
}

void Worker::respond_error(Connection& c, int status, std::string_view reason,
                           std::string_view extra_headers, bool head_only) {
  append_error_response(c.out.own_bytes(), status, reason, extra_headers, head_only);
  c.close_after_flush = true;
}

size_t Worker::handle_frames(Connection& c, std::span<uint8_t> input) {
  FrameEvents events{*this, c};
  return read_frames(input, c.message, c.max_message, events);
}

void Worker::start_close(Connection& c, CloseCode code, std::string_view reason) {
  if (c.phase != Phase::websocket) return;
  unsubscribe(c);
  append_close_frame(c.out.own_bytes(), code, reason);
  c.phase = Phase::closing;
  c.phase_since = now_;
  flush(c);
}

void Worker::flush(Connection& c) {
  write_output(c);
  // A resuming subscriber is fed from the history as its socket drains; a few rounds per call,
  // then EPOLLOUT brings it back, so one long replay cannot hold the loop.
  for (int round = 0; round < kReplayRoundsPerFlush && !c.dead && BroadcastChannels::resuming(c) &&
                      c.out.frames_empty();
       ++round) {
    channels_.continue_replay(c);
    write_output(c);
  }
  if (c.dead) return;
  if (!output_pending(c) && c.close_after_flush) {
    end_connection(c);
    if (c.dead) return;
  }
  update_interest(c);
}

void Worker::write_output(Connection& c) {
  if (encrypts_itself(&c)) {
    write_tls_output(c);
    return;
  }
  if (c.out.empty()) return;
  const FlushResult r = c.out.flush(c.fd, leases_);
  bump(counters_.messages_sent, r.frames_completed);
  bump(counters_.bytes_sent, r.bytes);
  if (r.error) {
    close_connection(c);
    return;
  }
  // A client that takes frames, however slowly, is not stalled.
  if (r.frames_completed > 0 || c.out.empty()) c.stalled_since = c.out.empty() ? 0 : now_;
}

// Our last bytes are written. Once both close frames have crossed, the server closes the TCP
// connection first (RFC 6455 7.1.1), at once when nothing unread is left: only unread input turns
// close() into a reset that could destroy the reply in flight. Otherwise, and after a protocol
// error (the client's close is still to come), it lingers.
void Worker::end_connection(Connection& c) {
  if (c.tls != nullptr) send_close_notify(c);
  if (c.close_received && nothing_unread(c.fd)) {
    close_connection(c);
  } else {
    begin_linger(c);
  }
}

// No bytes wait in the socket's receive queue (or the client has already sent its EOF).
bool Worker::nothing_unread(int fd) {
  char byte;
  const ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno == EAGAIN);
}

// Half-close and wait for the client's EOF, discarding what it still sends.
void Worker::begin_linger(Connection& c) {
  unsubscribe(c);
  ::shutdown(c.fd, SHUT_WR);
  c.close_after_flush = false;
  c.phase = Phase::lingering;
  c.phase_since = now_;
  c.in.clear();
}

void Worker::update_interest(Connection& c) {
  uint32_t want = 0;
  // Not reading while a handshake over the socket waits to write: its input would only spin.
  const bool handshake_held_up = c.tls != nullptr && c.tls->wants_write();
  if (c.out.own_pending() <= config_.limits.max_pending_output && !handshake_held_up) want |= EPOLLIN;
  if (output_pending(c) || BroadcastChannels::resuming(c)) want |= EPOLLOUT;
  if (want == c.events) return;
  if (!epoll_.modify(c.fd, want, token_of(c))) {  // out of kernel memory: give this one up
    LC_LOG(warn, "worker {}: epoll_ctl: {}; closing connection", config_.index, std::strerror(errno));
    close_connection(c);
    return;
  }
  c.events = want;
}

}  // namespace levelcast
