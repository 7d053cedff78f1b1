#include "client_socket.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace levelcast::load {

ConnectStart start_tcp_connect(const sockaddr_in& server, std::uint32_t source_ip) noexcept {
  ConnectStart start;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    start.error = errno;
    return start;
  }
  const int on = 1;
  // Echo sends small frames and waits for them; Nagle would hold them back.
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  if (source_ip != 0) {
    ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = source_ip;
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
      start.error = errno;
      ::close(fd);
      return start;
    }
  }
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&server), sizeof server) == 0) {
    start.fd = fd;
    start.connected = true;
  } else if (errno == EINPROGRESS) {
    start.fd = fd;
  } else {
    start.error = errno;
    ::close(fd);
  }
  return start;
}

int connect_result(int fd) noexcept {
  int error = 0;
  socklen_t size = sizeof error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) return errno;
  return error;
}

std::optional<sockaddr_in> resolve_ipv4(const std::string& host, std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) == 1) return address;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  address.sin_addr = reinterpret_cast<const sockaddr_in*>(found->ai_addr)->sin_addr;
  ::freeaddrinfo(found);
  return address;
}

std::uint32_t loopback_source_address(std::uint64_t index, unsigned count) noexcept {
  if (count <= 1) return 0;
  const auto last_octet = static_cast<std::uint32_t>(1 + index % count);
  return htonl((127u << 24) | last_octet);
}

}  // namespace levelcast::load
