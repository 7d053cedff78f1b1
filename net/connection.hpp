#pragma once
// Connection: one client socket's state. Owned by exactly one worker and touched only by its
// thread; other threads never hold a pointer to it. The record is 232 bytes (224 before TLS
// added the session pointer); received bytes live in the worker's shared read buffer and only a
// partial head or frame is kept here.
#include <cstdint>
#include <string>

#include "net/admission.hpp"
#include "net/output_queue.hpp"
#include "net/ws_reader.hpp"

namespace levelcast {

class TlsSession;

enum class Phase : uint8_t {
  http,       // reading the request head
  websocket,  // upgraded
  closing,    // our close frame is queued: waiting for the client's
  lingering,  // write side shut: discarding input until EOF or the close timeout
  stream,     // an HTTP response streaming Server-Sent Events: input is ignored
};

enum class Role : uint8_t { none, echo, subscriber };

struct Connection {
  int fd = -1;
  uint32_t slot = 0;
  uint32_t generation = 0;
  Phase phase = Phase::http;
  Role role = Role::none;
  Admission admission = Admission::admitted;  // over a limit: answer 503 or 429
  bool close_after_flush = false;  // shut the write side once the output is written
  bool dead = false;               // unlinked; freed at the end of the loop iteration
  bool close_received = false;     // the client's close frame arrived
  uint16_t peer_bucket = 0;        // its address's count in peer_connections(); 0: not counted
  uint32_t events = 0;             // epoll interest currently registered
  uint32_t channel = 0;            // subscribers: the channel and index in its list
  uint32_t subscriber_index = 0;
  uint32_t max_message = 0;
  uint32_t token_expiry = 0;       // Unix seconds when its bearer token expires (4001); 0: never
  int64_t phase_since = 0;         // monotonic ns when the current phase began
  int64_t last_receive = 0;        // monotonic ns of the last bytes from the client
  int64_t last_ping = 0;
  int64_t stalled_since = 0;       // monotonic ns since a subscriber's output has been pending
  uint64_t replay_next = 0;        // a resuming subscriber: the next seq to send from history
  TlsSession* tls = nullptr;       // TLS connections: created on adoption, deleted in recycle()
  OutputQueue out;
  std::string in;                  // unconsumed received bytes (a partial head or frame)
  MessageAssembly message;
};
// Idle connections cost this plus the kernel's socket: keep it small (issue: <= 1 KiB per idle
// connection). Grow it only knowingly.
static_assert(sizeof(Connection) <= 232, "Connection grew: update the size stated above");

}  // namespace levelcast
