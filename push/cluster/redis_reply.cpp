#include "push/cluster/redis_reply.hpp"

namespace levelcast {

bool reply_is_error(const redisReply* reply) { return reply != nullptr && reply->type == REDIS_REPLY_ERROR; }

std::string_view reply_text(const redisReply* reply) {
  if (reply == nullptr) return {};
  const int t = reply->type;
  if (t != REDIS_REPLY_STRING && t != REDIS_REPLY_STATUS && t != REDIS_REPLY_ERROR) return {};
  return {reply->str, reply->len};
}

}  // namespace levelcast
