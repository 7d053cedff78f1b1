#pragma once
// How the acceptor let a connection in, decided once at accept time and carried with the socket
// to its worker: admitted; through the --admin-bind listener (never limited); or over a limit,
// to be answered 503 (--max-connections) or 429 (--max-connections-per-ip) once its request has
// arrived, unless the route is exempt (/healthz, /metrics).
#include <cstdint>

namespace levelcast {

enum class Admission : uint8_t { admitted, admin, over_limit, over_address_limit };

// A socket the acceptor hands to a worker.
struct AcceptedSocket {
  int fd = -1;
  Admission admission = Admission::admitted;
  uint16_t peer_bucket = 0;  // in ServerMetrics::peer_connections(); 0: not counted
  bool tls = false;          // accepted on the TLS listener
};

inline bool over_a_limit(Admission a) {
  return a == Admission::over_limit || a == Admission::over_address_limit;
}

}  // namespace levelcast
