#pragma once
// File descriptors and TCP sockets. UniqueFd owns one descriptor; the functions are safe from any
// thread (they act on the descriptors they are given).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace levelcast {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// A non-blocking listening TCP socket bound to address:port (port 0: any free port). The
// address is IPv4 (127.0.0.1) or IPv6, bare or in brackets (::1, [::1]); the IPv6 wildcard
// (:: or [::]) is dual-stack, every other IPv6 address IPv6 only.
// On failure returns an invalid fd and sets `error` to a one-line reason. `reuse_port` sets
// SO_REUSEPORT, so a second process can listen on the same port during a hand-over.
UniqueFd listen_tcp(std::string_view address, uint16_t port, int backlog, std::string& error,
                    bool reuse_port = false);
// The port a bound socket listens on (IPv4 or IPv6).
uint16_t local_port(int fd);
// True for an IPv4 or IPv6 address as listen_tcp takes it (IPv6 bare or bracketed).
bool is_ip_address(std::string_view address);
// "ADDR:PORT" with ADDR IPv4 or [IPv6]; false when it is not that shape.
bool split_host_port(std::string_view text, std::string& host, uint16_t& port);
// The address as written in a URL: IPv6 in brackets.
std::string url_host(std::string_view address);
void set_tcp_nodelay(int fd);

}  // namespace levelcast
