#pragma once
// RedisConnection: one connection to Redis, driven by its owner's own poll(): a non-blocking
// socket, an output buffer of commands formatted by hiredis, and hiredis's reply reader fed with
// what the socket delivers. No hiredis context and no adapter for a foreign event loop: hiredis
// 0.14's redisSetTimeout leaves a context unusable after a timeout, while here a timeout simply
// closes the socket and the owner reconnects.
//
// Threads: one owner thread (the publisher, the relay, or the server's thread at start-up).
#include <hiredis/hiredis.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "net/socket.hpp"
#include "push/cluster/redis_endpoint.hpp"
#include "push/cluster/redis_reply.hpp"

namespace levelcast {

class RedisConnection {
 public:
  RedisConnection();
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Connects, AUTHs with the endpoint's user and password, SELECTs its database, all before
  // `deadline_ns` (monotonic). false with a one-line `error` (never holding the password).
  bool connect(const RedisEndpoint& endpoint, int64_t deadline_ns, std::string& error);
  void close();
  bool connected() const { return socket_.valid(); }
  int fd() const { return socket_.get(); }

  // Queues one command; flush() sends it. Each command counts as one reply awaited.
  void append(std::span<const std::string_view> args);
  void append(std::initializer_list<std::string_view> args) { append(std::span(args.begin(), args.size())); }
  // Writes what the socket takes now; false when the connection broke (then closed).
  bool flush();
  bool wants_write() const { return written_ < output_.size(); }
  // Reads what has arrived; false when the peer closed or the socket broke (then closed).
  bool receive();
  // The next complete reply, or null when none is complete yet. A protocol error closes the
  // connection and returns null.
  RedisReply next_reply();
  // Replies awaited for appended commands (pushes on a subscription are not counted).
  uint64_t awaited() const { return awaited_; }

  // Sends one command and waits for its reply until `deadline_ns`; only with no other reply
  // awaited. On a timeout or a broken connection: closes, returns null and says why in `error`.
  RedisReply call(std::initializer_list<std::string_view> args, int64_t deadline_ns, std::string& error);
  // Waits until a reply is complete or the deadline passes; the same failure rule as call().
  RedisReply wait_reply(int64_t deadline_ns, std::string& error);

 private:
  bool log_in(const RedisEndpoint& endpoint, int64_t deadline_ns, std::string& reason);
  bool wait_for(short events, int64_t deadline_ns);

  UniqueFd socket_;
  redisReader* reader_ = nullptr;
  std::string output_;
  size_t written_ = 0;
  uint64_t awaited_ = 0;
};

}  // namespace levelcast
