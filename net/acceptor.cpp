#include "net/acceptor.hpp"

#include <fcntl.h>
#include <sys/socket.h>
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
constexpr uint64_t kStopToken = ~uint64_t{0};  // listeners are tokens 0, 1, ...

UniqueFd open_spare() { return UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)); }
}  // namespace

Acceptor::Acceptor(std::vector<Listener> listeners, std::vector<Worker*> workers,
                   ServerMetrics& metrics, int64_t max_connections)
    : listeners_(std::move(listeners)),
      spare_(open_spare()),
      workers_(std::move(workers)),
      metrics_(metrics),
      max_connections_(max_connections) {
  LC_CHECK(!workers_.empty());
  LC_CHECK(!listeners_.empty());
  for (size_t i = 0; i < listeners_.size(); ++i) LC_CHECK(epoll_.add(listeners_[i].socket.get(), EPOLLIN, i));
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
  epoll_event events[3];
  while (!stopping_.load(std::memory_order_acquire)) {
    const int n = epoll_.wait(events, 3, -1);
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u64 < listeners_.size()) accept_all(listeners_[events[i].data.u64]);
    }
  }
}

void Acceptor::accept_all(const Listener& listener) {
  while (true) {
    const int fd = ::accept4(listener.socket.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      hand_off(fd, listener.tls);
      continue;
    }
    switch (errno) {
      case EAGAIN: return;
      case EINTR:
      case ECONNABORTED:
      case EPROTO: continue;
      case EMFILE:
      case ENFILE:
        shed_one_connection(listener.socket.get());
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

void Acceptor::hand_off(int fd, bool tls) {
  set_tcp_nodelay(fd);
  bump(metrics_.acceptor().accepted);
  const int64_t open = metrics_.open_connections().fetch_add(1, std::memory_order_relaxed) + 1;
  const bool reject = open > max_connections_;
  if (reject) bump(metrics_.acceptor().rejected_over_limit);
  workers_[next_worker_]->post_connection({fd, reject, tls});
  next_worker_ = (next_worker_ + 1) % workers_.size();
}

}  // namespace levelcast
