#pragma once
// RedisReply: one reply from hiredis's reader, owned; helpers that read any reply safely (null
// or of another type gives the empty answer). Pure; any thread.
#include <hiredis/hiredis.h>

#include <memory>
#include <string_view>

namespace levelcast {

struct RedisReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

// hiredis's reply reader, refusing arrays of more than kMaxReplyElements (hiredis 0.14.1 would
// allocate whatever count the bytes announce: "*2000000000" is 16 GB). A refused reply is a
// protocol error. Free it with redisReaderFree().
inline constexpr int kMaxReplyElements = 1 << 20;
redisReader* create_reply_reader();

bool reply_is_error(const redisReply* reply);
// The text of a string, status or error reply; "" for anything else.
std::string_view reply_text(const redisReply* reply);

}  // namespace levelcast
