#include "bench/loopback_pairs.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/check.hpp"
#include "net/socket.hpp"

namespace levelcast::bench {

LoopbackPairs::LoopbackPairs(size_t count) {
  std::string error;
  UniqueFd listener = listen_tcp("127.0.0.1", 0, 4096, error);
  LC_CHECK(listener.valid());
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(local_port(listener.get()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (size_t i = 0; i < count; ++i) {
    const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    LC_CHECK(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    int server = -1;
    while ((server = ::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
    }
    set_tcp_nodelay(server);
    auto c = std::make_unique<Connection>();
    c->fd = server;
    server_view_.push_back(c.get());
    servers_.push_back(std::move(c));
    clients_.push_back(client);
  }
}

LoopbackPairs::~LoopbackPairs() {
  for (auto& c : servers_) ::close(c->fd);
  for (int fd : clients_) ::close(fd);
}

size_t LoopbackPairs::drain_clients() {
  static thread_local char sink[1 << 16];
  size_t total = 0;
  for (int fd : clients_) {
    ssize_t n;
    while ((n = ::recv(fd, sink, sizeof(sink), MSG_DONTWAIT)) > 0) total += static_cast<size_t>(n);
  }
  return total;
}

}  // namespace levelcast::bench
