#include "net/acceptor.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/check.hpp"
#include "core/clock.hpp"
#include "core/cpu_affinity.hpp"
#include "core/log.hpp"
#include "net/worker.hpp"

namespace levelcast {
namespace {
constexpr uint64_t kStopToken = ~uint64_t{0};  // listeners are tokens 0..n-1

UniqueFd open_spare() { return UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)); }

uint64_t random_key() {
  uint64_t key = 0;
  if (getrandom(&key, sizeof(key), 0) != sizeof(key)) key = static_cast<uint64_t>(mono_nanos());
  return key;
}

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}
}  // namespace

Acceptor::Acceptor(std::vector<Listener> listeners, std::vector<Worker*> workers,
                   ServerMetrics& metrics, AdmissionLimits limits)
    : listeners_(std::move(listeners)),
      spare_(open_spare()),
      workers_(std::move(workers)),
      metrics_(metrics),
      limits_(limits),
      hash_key_(random_key()) {
  LC_CHECK(!workers_.empty() && !listeners_.empty());
  for (size_t i = 0; i < listeners_.size(); ++i) {
    LC_CHECK(epoll_.add(listeners_[i].fd.get(), EPOLLIN, i));
  }
  LC_CHECK(epoll_.add(stop_wakeup_.fd(), EPOLLIN, kStopToken));
}

Acceptor::~Acceptor() { stop(); }

void Acceptor::start(int cpu) { thread_ = std::thread([this, cpu] { run(cpu); }); }

void Acceptor::stop() {
  stopping_.store(true, std::memory_order_release);
  stop_wakeup_.notify();
  if (thread_.joinable()) thread_.join();
  listeners_.clear();
}

void Acceptor::run(int cpu) {
  name_current_thread("lc-acceptor");
  if (!pin_current_thread(cpu)) LC_LOG(warn, "acceptor: cannot pin to CPU {}", cpu);
  epoll_event events[8];
  while (!stopping_.load(std::memory_order_acquire)) {
    const int n = epoll_.wait(events, 8, -1);
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u64 < listeners_.size()) accept_all(listeners_[events[i].data.u64]);
    }
  }
}

void Acceptor::accept_all(const Listener& listener) {
  while (true) {
    sockaddr_storage peer{};
    socklen_t peer_size = sizeof(peer);
    const int fd = ::accept4(listener.fd.get(), reinterpret_cast<sockaddr*>(&peer), &peer_size,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      hand_off(fd, peer, listener);
      continue;
    }
    switch (errno) {
      case EAGAIN: return;
      case EINTR:
      case ECONNABORTED:
      case EPROTO: continue;
      case EMFILE:
      case ENFILE:
        shed_one_connection(listener.fd.get());
        return;  // level-triggered: the loop comes back, and sees a stop request meanwhile
      default:
        // ENOBUFS, ENOMEM: the listen socket stays readable; pause instead of spinning.
        LC_LOG(error, "accept: {}", std::strerror(errno));
        sleep_until_mono(mono_nanos() + 10'000'000);
        return;
    }
  }
}

// Out of descriptors: use the spare one to take the pending connection and close it at once.
void Acceptor::shed_one_connection(int listen_fd) {
  LC_LOG(warn, "accept: out of file descriptors, refusing a connection");
  spare_.reset();
  const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd >= 0) ::close(fd);
  spare_ = open_spare();
  if (!spare_.valid()) sleep_until_mono(mono_nanos() + 10'000'000);
}

void Acceptor::hand_off(int fd, const sockaddr_storage& peer, const Listener& listener) {
  set_tcp_nodelay(fd);
  bump(metrics_.acceptor().accepted);
  const int64_t open = metrics_.open_connections().fetch_add(1, std::memory_order_relaxed) + 1;
  AcceptedSocket socket{fd, Admission::admin, 0};
  if (!listener.admin) {
    socket = admit(fd, peer, open);
    if (socket.fd < 0) return;
  }
  socket.tls = listener.tls;
  workers_[next_worker_]->post_connection(socket);
  next_worker_ = (next_worker_ + 1) % workers_.size();
}

// Counts the connection against the limits; far over one, closes it (the result's fd is -1).
AcceptedSocket Acceptor::admit(int fd, const sockaddr_storage& peer, int64_t open) {
  AcceptedSocket socket{fd, Admission::admitted, 0};
  bool far_over = false;
  if (limits_.max_per_address > 0) {
    socket.peer_bucket = peer_bucket(peer);
    const uint32_t from_peer = metrics_.peer_connections().add(socket.peer_bucket);
    if (from_peer > limits_.max_per_address) {
      socket.admission = Admission::over_address_limit;
      bump(metrics_.acceptor().rejected_per_address);
      far_over = from_peer > limits_.max_per_address + kOverLimitReserve;
    }
  }
  if (open > limits_.max_connections) {
    socket.admission = Admission::over_limit;
    bump(metrics_.acceptor().rejected_over_limit);
    far_over = far_over || open > limits_.max_connections + kOverLimitReserve;
  }
  if (far_over) {
    close_at_once(socket);
    socket.fd = -1;
  }
  return socket;
}

void Acceptor::close_at_once(const AcceptedSocket& socket) {
  bump(metrics_.acceptor().closed_at_once);
  metrics_.peer_connections().remove(socket.peer_bucket);
  metrics_.open_connections().fetch_sub(1, std::memory_order_relaxed);
  ::close(socket.fd);
}

// 1..65535 from a keyed hash of the peer's address (an IPv4-mapped IPv6 address counts as the
// IPv4 one, so a dual-stack listener does not give a client two budgets).
uint16_t Acceptor::peer_bucket(const sockaddr_storage& peer) const {
  uint64_t h = hash_key_;
  if (peer.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr;
    uint64_t high = 0, low = 0;
    std::memcpy(&high, v6.s6_addr, 8);
    std::memcpy(&low, v6.s6_addr + 8, 8);
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      uint32_t v4 = 0;
      std::memcpy(&v4, v6.s6_addr + 12, 4);
      h = mix(h, v4);
    } else {
      h = mix(mix(h, high), low);
    }
  } else {
    h = mix(h, reinterpret_cast<const sockaddr_in&>(peer).sin_addr.s_addr);
  }
  return static_cast<uint16_t>(1 + h % (PeerConnectionCounts::kBuckets - 1));
}

}  // namespace levelcast
