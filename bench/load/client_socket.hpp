#pragma once
// Non-blocking TCP client sockets for the workers: plain functions over file descriptors,
// safe from any thread; each fd is then used by the one worker that opened it.
#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <string>

namespace levelcast::load {

struct ConnectStart {
  int fd = -1;    // >= 0: connecting (or already connected when `connected`)
  int error = 0;  // errno when fd < 0
  bool connected = false;
};

// Starts a connection to `server`. A non-zero `source_ip` (network byte order) is bound first,
// with the port left to connect(), so each source address has its own ephemeral port range.
ConnectStart start_tcp_connect(const sockaddr_in& server, std::uint32_t source_ip) noexcept;

// The outcome of a connect that epoll reported writable: 0 or an errno value.
int connect_result(int fd) noexcept;

// The IPv4 address of `host` (a dotted quad or a name), port in network order.
std::optional<sockaddr_in> resolve_ipv4(const std::string& host, std::uint16_t port);

// 127.0.0.(1 + index % count) in network order, or 0 (no bind) when count is 1.
std::uint32_t loopback_source_address(std::uint64_t index, unsigned count) noexcept;

}  // namespace levelcast::load
