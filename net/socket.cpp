#include "net/socket.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace levelcast {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

namespace {
std::string_view strip_brackets(std::string_view address) {
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
    return address.substr(1, address.size() - 2);
  }
  return address;
}

// The socket address for `address`, or false when it is neither IPv4 nor IPv6.
bool make_address(std::string_view address, uint16_t port, sockaddr_storage& out, socklen_t& size) {
  const std::string host(strip_brackets(address));
  out = {};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    size = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    size = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}
}  // namespace

UniqueFd listen_tcp(std::string_view address, uint16_t port, int backlog, std::string& error,
                    bool reuse_port) {
  sockaddr_storage addr{};
  socklen_t addr_size = 0;
  const std::string host(address);
  if (!make_address(address, port, addr, addr_size)) {
    error = fmt::format("--bind: '{}' is not an IPv4 or IPv6 address", host);
    return {};
  }
  UniqueFd fd(::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    error = fmt::format("socket: {}", std::strerror(errno));
    return {};
  }
  const int one = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (reuse_port) setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  if (addr.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(addr);
    const int v6_only = IN6_IS_ADDR_UNSPECIFIED(&v6.sin6_addr) ? 0 : 1;
    setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6_only, sizeof(v6_only));
  }
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), addr_size) != 0) {
    error = fmt::format("cannot bind {}:{}: {}", host, port, std::strerror(errno));
    return {};
  }
  if (::listen(fd.get(), backlog) != 0) {
    error = fmt::format("listen: {}", std::strerror(errno));
    return {};
  }
  return fd;
}

uint16_t local_port(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
}

bool is_ip_address(std::string_view address) {
  sockaddr_storage ignored{};
  socklen_t size = 0;
  return make_address(address, 0, ignored, size);
}

bool split_host_port(std::string_view text, std::string& host, uint16_t& port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view address = text.substr(0, colon);
  const std::string_view digits = text.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty() || value > 65535) {
    return false;
  }
  // A bare IPv6 address has colons of its own: it must be bracketed here.
  if (address.find(':') != std::string_view::npos && address.front() != '[') return false;
  if (!is_ip_address(address)) return false;
  host = std::string(address);
  port = static_cast<uint16_t>(value);
  return true;
}

std::string url_host(std::string_view address) {
  const std::string_view bare = strip_brackets(address);
  if (bare.find(':') == std::string_view::npos) return std::string(bare);
  return fmt::format("[{}]", bare);
}

void set_tcp_nodelay(int fd) {
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

}  // namespace levelcast
