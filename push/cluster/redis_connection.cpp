#include "push/cluster/redis_connection.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/check.hpp"
#include "core/clock.hpp"

namespace levelcast {
namespace {

// A non-blocking socket whose connect() has been started (EINPROGRESS), or an invalid fd.
UniqueFd start_connect(const sockaddr* address, socklen_t length, std::string& error) {
  UniqueFd fd(::socket(address->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    error = std::strerror(errno);
    return fd;
  }
  if (::connect(fd.get(), address, length) != 0 && errno != EINPROGRESS) {
    error = std::strerror(errno);
    fd.reset();
  }
  return fd;
}

UniqueFd start_unix(const std::string& path, std::string& error) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) {
    error = "socket path too long";
    return UniqueFd();
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  return start_connect(reinterpret_cast<const sockaddr*>(&address), sizeof(address), error);
}

UniqueFd start_tcp(const RedisEndpoint& endpoint, std::string& error) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(endpoint.port);
  if (const int rc = ::getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    error = ::gai_strerror(rc);
    return UniqueFd();
  }
  UniqueFd fd = start_connect(found->ai_addr, found->ai_addrlen, error);
  ::freeaddrinfo(found);
  if (fd.valid()) set_tcp_nodelay(fd.get());
  return fd;
}

int poll_timeout_ms(int64_t deadline_ns) {
  const int64_t left = deadline_ns - mono_nanos();
  return left <= 0 ? 0 : static_cast<int>(std::min<int64_t>((left + 999'999) / 1'000'000, 60'000));
}

}  // namespace

RedisConnection::RedisConnection() = default;

RedisConnection::~RedisConnection() { close(); }

void RedisConnection::close() {
  socket_.reset();
  if (reader_ != nullptr) redisReaderFree(reader_);
  reader_ = nullptr;
  output_.clear();
  written_ = 0;
  awaited_ = 0;
}

bool RedisConnection::connect(const RedisEndpoint& endpoint, int64_t deadline_ns, std::string& error) {
  close();
  std::string reason;
  socket_ = endpoint.is_unix() ? start_unix(endpoint.unix_path, reason) : start_tcp(endpoint, reason);
  if (socket_.valid() && !wait_for(POLLOUT, deadline_ns)) reason = "connect timed out";
  if (socket_.valid() && reason.empty()) {
    int so_error = 0;
    socklen_t length = sizeof(so_error);
    ::getsockopt(socket_.get(), SOL_SOCKET, SO_ERROR, &so_error, &length);
    if (so_error != 0) reason = std::strerror(so_error);
  }
  if (!reason.empty()) {
    close();
    error = fmt::format("{}: {}", endpoint.describe(), reason);
    return false;
  }
  reader_ = create_reply_reader();
  LC_CHECK(reader_ != nullptr);
  if (!log_in(endpoint, deadline_ns, reason)) {
    close();
    error = fmt::format("{}: {}", endpoint.describe(), reason);
    return false;
  }
  return true;
}

// AUTH when the endpoint has a password, SELECT when it names a database, else a PING: every
// connection asks Redis one thing first, so that a missing or wrong password is said here, in
// one line, and not by the first real command.
bool RedisConnection::log_in(const RedisEndpoint& endpoint, int64_t deadline_ns, std::string& reason) {
  const std::string db = std::to_string(endpoint.db);
  const auto ask = [&](std::string_view what, std::initializer_list<std::string_view> args) {
    RedisReply reply = call(args, deadline_ns, reason);
    const bool ok = reply != nullptr && !reply_is_error(reply.get());
    if (!ok) reason = fmt::format("{}: {}", what, reply != nullptr ? reply_text(reply.get()) : std::string_view(reason));
    return ok;
  };
  if (!endpoint.password.empty()) {
    const bool ok = endpoint.user.empty() ? ask("AUTH", {"AUTH", endpoint.password})
                                          : ask("AUTH", {"AUTH", endpoint.user, endpoint.password});
    if (!ok) return false;
  }
  if (endpoint.db != 0) return ask("SELECT", {"SELECT", db});
  return !endpoint.password.empty() || ask("PING", {"PING"});
}

void RedisConnection::append(std::span<const std::string_view> args) {
  LC_CHECK(connected());
  std::vector<const char*> pointers;
  std::vector<size_t> lengths;
  pointers.reserve(args.size());
  lengths.reserve(args.size());
  for (const std::string_view a : args) {
    pointers.push_back(a.data());
    lengths.push_back(a.size());
  }
  char* command = nullptr;
  const int length = redisFormatCommandArgv(&command, static_cast<int>(args.size()), pointers.data(), lengths.data());
  LC_CHECK(length > 0 && command != nullptr);
  if (written_ == output_.size()) {
    output_.clear();
    written_ = 0;
  }
  output_.append(command, static_cast<size_t>(length));
  redisFreeCommand(command);
  ++awaited_;
}

bool RedisConnection::flush() {
  while (connected() && written_ < output_.size()) {
    const ssize_t n = ::send(socket_.get(), output_.data() + written_, output_.size() - written_, MSG_NOSIGNAL);
    if (n > 0) {
      written_ += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return true;
    } else {
      close();
      return false;
    }
  }
  if (written_ == output_.size()) {
    output_.clear();
    written_ = 0;
  }
  return connected();
}

bool RedisConnection::receive() {
  char buffer[64 * 1024];
  while (connected()) {
    const ssize_t n = ::recv(socket_.get(), buffer, sizeof(buffer), 0);
    if (n > 0) {
      if (redisReaderFeed(reader_, buffer, static_cast<size_t>(n)) != REDIS_OK) break;
      if (static_cast<size_t>(n) < sizeof(buffer)) return true;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return true;
    } else {
      break;
    }
  }
  close();
  return false;
}

RedisReply RedisConnection::next_reply() {
  if (!connected()) return nullptr;
  void* reply = nullptr;
  if (redisReaderGetReply(reader_, &reply) != REDIS_OK) {
    close();
    return nullptr;
  }
  if (reply != nullptr && awaited_ > 0) --awaited_;
  return RedisReply(static_cast<redisReply*>(reply));
}

bool RedisConnection::wait_for(short events, int64_t deadline_ns) {
  pollfd p{socket_.get(), events, 0};
  while (true) {
    const int n = ::poll(&p, 1, poll_timeout_ms(deadline_ns));
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}

RedisReply RedisConnection::wait_reply(int64_t deadline_ns, std::string& error) {
  while (connected()) {
    if (RedisReply reply = next_reply()) return reply;
    if (!connected()) break;
    if (wants_write() && !flush()) break;
    if (!wait_for(wants_write() ? POLLIN | POLLOUT : POLLIN, deadline_ns)) {
      error = "Redis did not answer in time";
      close();
      return nullptr;
    }
    if (!receive()) break;
  }
  if (error.empty()) error = "the connection to Redis broke";
  return nullptr;
}

RedisReply RedisConnection::call(std::initializer_list<std::string_view> args, int64_t deadline_ns,
                                 std::string& error) {
  if (!connected()) {
    error = "not connected to Redis";
    return nullptr;
  }
  LC_CHECK(awaited_ == 0);
  append(args);
  if (!flush()) {
    error = "the connection to Redis broke";
    return nullptr;
  }
  return wait_reply(deadline_ns, error);
}

}  // namespace levelcast
