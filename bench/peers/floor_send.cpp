// levelcast-floor: the yardstick for levelcast's broadcast loop.
//
//   levelcast-floor --port 0 --rate 10 --mode send|io_uring [--batch K] [--catch-up N]
//                   [--exit-after 60]
//
// The least a WebSocket broadcaster can do: one thread, one epoll set; accept, a minimal RFC 6455
// upgrade on GET /levels (anything else gets 404), and every 1/rate s one prepared text frame
// shaped like levelcast's 2-channel JSON snapshot (same fields and size, with the current seq and
// ts) written to every subscriber, either by a plain send() per subscriber (--mode send) or by
// one io_uring submission per round (--mode io_uring). No queues, no history, no pings, no
// timeouts, no metrics. It stays honest in the two ways a load client can check: a frame is
// never cut (a short write keeps its remainder and the subscriber misses rounds until it is
// flushed) and every close frame is answered.
// The batched yardstick (issue 10): a round that is k ticks behind (the timer expired k times)
// writes the k frames due, each with its own seq and the ts of its tick, to every subscriber in
// ONE call, a sendmsg() / IORING_OP_SENDMSG with one iovec per frame (up to --catch-up frames;
// older ticks are skipped). --batch K forces it: a round every K ticks with the K frames, so
// the cost of k frames per system call is known at any rate.
// Prints "listening on ws://HOST:PORT/levels" when ready; on exit (SIGINT, SIGTERM or
// --exit-after) one line with the rounds sent, ticks skipped and frames not sent.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

enum class SendMode : std::uint8_t { send, io_uring };

struct FloorOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  double rate = 10;
  SendMode mode = SendMode::send;
  double exit_after_s = 0;
  unsigned batch = 1;      // frames per round, forced: a round every `batch` ticks
  unsigned catch_up = 64;  // most frames one round writes when the timer is behind
};

constexpr unsigned kMaxFramesPerRound = 64;

[[noreturn]] void fail(std::string_view what) {
  fmt::print(stderr, "levelcast-floor: {}: {}\n", what, std::strerror(errno));
  std::exit(1);
}

FloorOptions parse_options(int argc, char** argv) {
  FloorOptions options;
  std::string mode = "send";
  CLI::App app{"levelcast-floor: the minimal WebSocket broadcaster levelcast is measured against"};
  app.add_option("--host", options.host, "IPv4 address to listen on")->capture_default_str();
  app.add_option("--port", options.port, "TCP port (0: any free port)")->capture_default_str();
  app.add_option("--rate", options.rate, "frames per second")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 10000.0));
  app.add_option("--mode", mode, "send: one send() per subscriber; io_uring: one submission")
      ->capture_default_str()
      ->check(CLI::IsMember({"send", "io_uring"}));
  app.add_option("--exit-after", options.exit_after_s, "seconds before exiting (0: never)")
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--batch", options.batch,
                 "frames per round: a round every K ticks writes the K frames in one call")
      ->capture_default_str()
      ->check(CLI::Range(1U, kMaxFramesPerRound));
  app.add_option("--catch-up", options.catch_up,
                 "most frames a round that is behind writes in one call (1: skip late ticks)")
      ->capture_default_str()
      ->check(CLI::Range(1U, kMaxFramesPerRound));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    std::exit(app.exit(error) == 0 ? 0 : 2);
  }
  options.mode = mode == "io_uring" ? SendMode::io_uring : SendMode::send;
  return options;
}

std::int64_t realtime_micros() {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return std::int64_t{now.tv_sec} * 1'000'000 + now.tv_nsec / 1000;
}

// The frames of one round: unmasked final text frames holding levelcast's snapshot shape,
// {"topic":"synth","seq":N,"ts":MICROS,"rate":R,"channels":[{"rms":..,"peak":..},{..}]},
// back to back in one buffer, and one iovec per frame into it (valid until the next clear()).
class RoundFrames {
 public:
  explicit RoundFrames(double rate) : rate_(rate) { bytes_.reserve(kMaxFramesPerRound * 160); }

  void append(std::int64_t ts_micros) {
    ++seq_;
    const double drift = 6.0 * std::sin(static_cast<double>(seq_) * 0.05);
    const std::string payload = fmt::format(
        R"({{"topic":"synth","seq":{},"ts":{},"rate":{},"channels":[{{"rms":{:.1f},"peak":{:.1f}}},{{"rms":{:.1f},"peak":{:.1f}}}]}})",
        seq_, ts_micros, rate_, -18.0 + drift, -12.0 + drift, -21.0 - drift, -15.0 - drift);
    starts_[count_] = bytes_.size();
    bytes_.push_back('\x81');
    if (payload.size() < 126) {
      bytes_.push_back(static_cast<char>(payload.size()));
    } else {
      bytes_.push_back(static_cast<char>(126));
      bytes_.push_back(static_cast<char>(payload.size() >> 8));
      bytes_.push_back(static_cast<char>(payload.size() & 0xff));
    }
    bytes_ += payload;
    ++count_;
  }

  // The iovecs, built once the round is complete (bytes_ no longer moves).
  msghdr* message() {
    for (unsigned i = 0; i < count_; ++i) {
      const std::size_t end = i + 1 < count_ ? starts_[i + 1] : bytes_.size();
      iov_[i] = iovec{bytes_.data() + starts_[i], end - starts_[i]};
    }
    message_ = msghdr{};
    message_.msg_iov = iov_.data();
    message_.msg_iovlen = count_;
    return &message_;
  }

  void clear() {
    bytes_.clear();
    count_ = 0;
  }
  unsigned count() const { return count_; }
  std::string_view bytes() const { return bytes_; }

 private:
  double rate_;
  std::uint64_t seq_ = 0;
  std::string bytes_;
  unsigned count_ = 0;
  std::array<std::size_t, kMaxFramesPerRound> starts_{};  // where each frame starts
  std::array<iovec, kMaxFramesPerRound> iov_{};
  msghdr message_{};
};

std::string accept_value(std::string_view key) {
  const std::string joined = std::string(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  EVP_Digest(joined.data(), joined.size(), digest.data(), &digest_size, EVP_sha1(), nullptr);
  std::array<unsigned char, 32> text{};  // 28 characters and a NUL
  EVP_EncodeBlock(text.data(), digest.data(), static_cast<int>(digest_size));
  return std::string(reinterpret_cast<const char*>(text.data()), 28);
}

// The Sec-WebSocket-Key of a GET /levels request head, or "" when the request is anything else.
std::string_view levels_key(std::string_view head) {
  if (head.substr(0, 11) != "GET /levels" || (head[11] != ' ' && head[11] != '?')) return {};
  for (std::size_t at = head.find("\r\n"); at != std::string_view::npos;) {
    const std::size_t end = head.find("\r\n", at + 2);
    const std::string_view line = head.substr(at + 2, end - at - 2);
    constexpr std::string_view kName = "sec-websocket-key:";
    if (line.size() > kName.size() &&
        std::equal(kName.begin(), kName.end(), line.begin(),
                   [](char a, char b) { return a == (b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b); })) {
      std::string_view value = line.substr(kName.size());
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
      return value;
    }
    at = end;
  }
  return {};
}

// One accepted socket: its request head until the upgrade, then the unsent rest of a frame.
struct Peer {
  bool open = false;   // upgraded and in the broadcast list
  std::size_t slot = 0;  // its index in FloorServer::subscribers_
  std::string bytes;   // before the upgrade: the request head; after: a frame's unsent rest
};

// The whole server. Single-threaded: every member is touched by the thread that calls run().
class FloorServer {
 public:
  explicit FloorServer(const FloorOptions& options);
  int run();

 private:
  void accept_all();
  void on_readable(int fd);
  void on_handshake_bytes(int fd, Peer& peer, std::string_view bytes);
  void on_writable(int fd);
  void broadcast_round();
  void queue_frames(std::uint64_t expirations);
  void round_with_send();
  void round_with_uring();
  void submit_and_reap(unsigned count);
  void after_send(int fd, long result);
  void close_peer(int fd);

  FloorOptions options_;
  int epoll_ = -1;
  int listener_ = -1;
  int timer_ = -1;
  int signals_ = -1;
  int spare_fd_ = -1;  // given up to accept and shed a connection when out of descriptors
  std::vector<Peer> peers_;         // indexed by fd
  std::vector<int> subscribers_;    // fds of upgraded peers, the broadcast list
  std::vector<int> broken_;         // closed after the round that found them
  io_uring ring_{};
  unsigned ring_entries_ = 0;
  RoundFrames frames_;
  std::int64_t period_us_ = 0;
  std::uint64_t rounds_ = 0;
  std::uint64_t batched_rounds_ = 0;  // rounds that wrote more than one frame per call
  std::uint64_t skipped_ = 0;
  std::uint64_t not_sent_ = 0;  // frames a subscriber missed because its socket was full
};

int listen_on(const FloorOptions& options) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(options.port);
  if (::inet_pton(AF_INET, options.host.c_str(), &address.sin_addr) != 1) {
    fmt::print(stderr, "levelcast-floor: --host: not an IPv4 address\n");
    std::exit(2);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) fail("bind");
  if (::listen(fd, 4096) != 0) fail("listen");
  return fd;
}

void watch(int epoll, int fd, std::uint32_t events, int op = EPOLL_CTL_ADD) {
  epoll_event event{};
  event.events = events;
  event.data.fd = fd;
  if (::epoll_ctl(epoll, op, fd, &event) != 0) fail("epoll_ctl");
}

FloorServer::FloorServer(const FloorOptions& options)
    : options_(options), frames_(options.rate) {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  peers_.resize(limit.rlim_cur);
  epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  listener_ = listen_on(options);
  spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  timer_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  const auto period_ns = static_cast<long>(1e9 / options.rate);
  period_us_ = period_ns / 1000;
  const timespec period{period_ns / 1'000'000'000, period_ns % 1'000'000'000};
  const itimerspec schedule{period, period};
  if (::timerfd_settime(timer_, 0, &schedule, nullptr) != 0) fail("timerfd_settime");
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  signals_ = ::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  for (const int fd : {listener_, timer_, signals_}) watch(epoll_, fd, EPOLLIN);
  if (options.mode == SendMode::io_uring) {
    // One submission per round for up to 32768 subscribers (the kernel's largest ring).
    ring_entries_ = 32768;
    io_uring_params params{};
    params.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER;
    const int rc = io_uring_queue_init_params(ring_entries_, &ring_, &params);
    if (rc != 0) {
      errno = -rc;
      fail("io_uring_queue_init_params");
    }
  }
}

int FloorServer::run() {
  sockaddr_in bound{};
  socklen_t size = sizeof bound;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &size);
  fmt::print("listening on ws://{}:{}/levels\n", options_.host, ntohs(bound.sin_port));
  std::fflush(stdout);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration<double>(options_.exit_after_s);
  std::array<epoll_event, 256> events{};
  for (bool running = true; running;) {
    const int ready = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 200);
    if (ready < 0 && errno != EINTR) fail("epoll_wait");
    for (int i = 0; i < ready; ++i) {
      const int fd = events[static_cast<std::size_t>(i)].data.fd;
      const std::uint32_t what = events[static_cast<std::size_t>(i)].events;
      if (fd == listener_) {
        accept_all();
      } else if (fd == timer_) {
        broadcast_round();
      } else if (fd == signals_) {
        running = false;
      } else if ((what & EPOLLOUT) != 0 && (what & (EPOLLERR | EPOLLHUP)) == 0) {
        on_writable(fd);
      } else {
        on_readable(fd);
      }
    }
    if (options_.exit_after_s > 0 && std::chrono::steady_clock::now() >= deadline) running = false;
  }
  fmt::print(
      "levelcast-floor: {} rounds ({} of several frames), {} ticks skipped, {} frames not sent, "
      "{} subscribers\n",
      rounds_, batched_rounds_, skipped_, not_sent_, subscribers_.size());
  return 0;
}

void FloorServer::accept_all() {
  for (;;) {
    const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if ((errno == EMFILE || errno == ENFILE) && spare_fd_ >= 0) {
        // Out of descriptors: accept with the spare one and close, so the listener stops firing.
        ::close(spare_fd_);
        ::close(::accept(listener_, nullptr, nullptr));
        spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        continue;
      }
      return;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    peers_[static_cast<std::size_t>(fd)] = Peer{};
    watch(epoll_, fd, EPOLLIN);
  }
}

void FloorServer::on_readable(int fd) {
  Peer& peer = peers_[static_cast<std::size_t>(fd)];
  std::array<char, 4096> buffer;
  const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
  if (n < 0 && errno == EAGAIN) return;
  if (n <= 0) {
    close_peer(fd);
    return;
  }
  const std::string_view bytes(buffer.data(), static_cast<std::size_t>(n));
  if (!peer.open) {
    on_handshake_bytes(fd, peer, bytes);
    return;
  }
  // Subscribers only ever send a close frame here (no pings): answer it with 1000 and go.
  if ((static_cast<unsigned char>(bytes[0]) & 0x0f) == 0x8) {
    static constexpr char kClose[] = {'\x88', '\x02', '\x03', '\xe8'};
    if (peer.bytes.empty()) ::send(fd, kClose, sizeof kClose, MSG_NOSIGNAL);
    close_peer(fd);
  }
}

void FloorServer::on_handshake_bytes(int fd, Peer& peer, std::string_view bytes) {
  peer.bytes += bytes;
  if (peer.bytes.find("\r\n\r\n") == std::string::npos) {
    if (peer.bytes.size() > 8192) close_peer(fd);
    return;
  }
  const std::string_view key = levels_key(peer.bytes);
  if (key.empty()) {
    static constexpr std::string_view kNotFound =
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    ::send(fd, kNotFound.data(), kNotFound.size(), MSG_NOSIGNAL);
    close_peer(fd);
    return;
  }
  const std::string reply = fmt::format(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: {}\r\n\r\n",
      accept_value(key));
  // A fresh socket's buffer always takes this.
  if (::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(reply.size())) {
    close_peer(fd);
    return;
  }
  peer.bytes.clear();
  peer.open = true;
  peer.slot = subscribers_.size();
  subscribers_.push_back(fd);
}

void FloorServer::on_writable(int fd) {
  Peer& peer = peers_[static_cast<std::size_t>(fd)];
  const ssize_t n = ::send(fd, peer.bytes.data(), peer.bytes.size(), MSG_NOSIGNAL);
  if (n < 0 && errno == EAGAIN) return;
  if (n <= 0) {
    close_peer(fd);
    return;
  }
  peer.bytes.erase(0, static_cast<std::size_t>(n));
  if (peer.bytes.empty()) watch(epoll_, fd, EPOLLIN, EPOLL_CTL_MOD);
}

void FloorServer::broadcast_round() {
  std::uint64_t expirations = 0;
  if (::read(timer_, &expirations, sizeof expirations) != sizeof expirations) return;
  queue_frames(expirations);
  if (frames_.count() < options_.batch) return;  // --batch K: K ticks make one round
  ++rounds_;
  if (frames_.count() > 1) ++batched_rounds_;
  if (options_.mode == SendMode::io_uring) {
    round_with_uring();
  } else {
    round_with_send();
  }
  frames_.clear();
  for (const int fd : broken_) close_peer(fd);
  broken_.clear();
}

// One frame per tick due, each stamped with its tick's time (so a late round shows as late),
// up to the round's bound; the ticks beyond it are skipped.
void FloorServer::queue_frames(std::uint64_t expirations) {
  const unsigned bound = std::max(options_.batch, options_.catch_up);
  const std::uint64_t room = bound - frames_.count();
  const std::uint64_t kept = std::min(expirations, room);
  skipped_ += expirations - kept;
  const std::int64_t now = realtime_micros();
  for (std::uint64_t i = kept; i > 0; --i) {
    frames_.append(now - static_cast<std::int64_t>(i - 1) * period_us_);
  }
}

// The hot loop the server's fan-out is compared with: one send() per subscriber, or one
// sendmsg() with an iovec per frame when the round holds several.
void FloorServer::round_with_send() {
  const std::string_view bytes = frames_.bytes();
  const msghdr* message = frames_.count() > 1 ? frames_.message() : nullptr;
  for (const int fd : subscribers_) {
    if (!peers_[static_cast<std::size_t>(fd)].bytes.empty()) {
      not_sent_ += frames_.count();
      continue;
    }
    const ssize_t n = message != nullptr
                          ? ::sendmsg(fd, message, MSG_NOSIGNAL | MSG_DONTWAIT)
                          : ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n != static_cast<ssize_t>(bytes.size())) after_send(fd, n < 0 ? -errno : n);
  }
}

// The same round as one io_uring submission: every send (or sendmsg, for several frames)
// prepared, then one system call.
void FloorServer::round_with_uring() {
  const std::string_view bytes = frames_.bytes();
  msghdr* message = frames_.count() > 1 ? frames_.message() : nullptr;
  unsigned prepared = 0;
  for (const int fd : subscribers_) {
    if (!peers_[static_cast<std::size_t>(fd)].bytes.empty()) {
      not_sent_ += frames_.count();
      continue;
    }
    if (prepared == ring_entries_) {
      submit_and_reap(prepared);
      prepared = 0;
    }
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (message != nullptr) {
      io_uring_prep_sendmsg(sqe, fd, message, MSG_NOSIGNAL | MSG_DONTWAIT);
    } else {
      io_uring_prep_send(sqe, fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    io_uring_sqe_set_data64(sqe, static_cast<std::uint64_t>(fd));
    ++prepared;
  }
  if (prepared != 0) submit_and_reap(prepared);
}

void FloorServer::submit_and_reap(unsigned count) {
  int rc;
  while ((rc = io_uring_submit_and_wait(&ring_, count)) == -EINTR) {
  }
  if (rc < 0) {
    errno = -rc;
    fail("io_uring_submit_and_wait");
  }
  for (unsigned seen = 0; seen < count;) {
    io_uring_cqe* cqe = nullptr;
    while (io_uring_wait_cqe(&ring_, &cqe) == -EINTR) {
    }
    unsigned head;
    unsigned batch = 0;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      if (cqe->res != static_cast<int>(frames_.bytes().size())) {
        after_send(static_cast<int>(io_uring_cqe_get_data64(cqe)), cqe->res);
      }
      ++batch;
    }
    io_uring_cq_advance(&ring_, batch);
    seen += batch;
  }
}

// A send that did not take the round's whole bytes: `result` is the bytes sent or -errno.
void FloorServer::after_send(int fd, long result) {
  if (result > 0) {
    Peer& peer = peers_[static_cast<std::size_t>(fd)];
    peer.bytes.assign(frames_.bytes().substr(static_cast<std::size_t>(result)));
    watch(epoll_, fd, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
  } else if (result == -EAGAIN) {
    not_sent_ += frames_.count();
  } else {
    broken_.push_back(fd);
  }
}

void FloorServer::close_peer(int fd) {
  Peer& peer = peers_[static_cast<std::size_t>(fd)];
  if (peer.open) {
    const int last = subscribers_.back();
    subscribers_[peer.slot] = last;
    peers_[static_cast<std::size_t>(last)].slot = peer.slot;
    subscribers_.pop_back();
  }
  peer = Peer{};
  ::close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  const FloorOptions options = parse_options(argc, argv);
  std::signal(SIGPIPE, SIG_IGN);
  FloorServer server(options);
  return server.run();
}
