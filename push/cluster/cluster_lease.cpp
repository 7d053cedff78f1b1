#include "push/cluster/cluster_lease.hpp"

namespace levelcast {

std::string lease_holder(const redisReply* reply) {
  if (reply == nullptr) return "(no reply)";
  if (reply->type == REDIS_REPLY_INTEGER && reply->integer == 1) return {};
  const std::string_view text = reply_text(reply);
  return text.empty() ? "(unreadable reply)" : std::string(text);
}

}  // namespace levelcast
