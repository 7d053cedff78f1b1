#include "push/cluster/redis_reply.hpp"

namespace levelcast {
namespace {

// hiredis's own functions, copied once from a reader it made, with createArray bounded.
struct BoundedFunctions {
  redisReplyObjectFunctions functions{};
  void* (*create_array)(const redisReadTask*, int) = nullptr;
};

BoundedFunctions& bounded_functions() {
  static BoundedFunctions bounded = [] {
    BoundedFunctions b;
    redisReader* probe = redisReaderCreate();
    b.functions = *probe->fn;
    b.create_array = probe->fn->createArray;
    redisReaderFree(probe);
    b.functions.createArray = [](const redisReadTask* task, int elements) -> void* {
      if (elements > kMaxReplyElements) return nullptr;  // the reader reports out of memory
      return bounded_functions().create_array(task, elements);
    };
    return b;
  }();
  return bounded;
}

}  // namespace

redisReader* create_reply_reader() { return redisReaderCreateWithFunctions(&bounded_functions().functions); }

bool reply_is_error(const redisReply* reply) { return reply != nullptr && reply->type == REDIS_REPLY_ERROR; }

std::string_view reply_text(const redisReply* reply) {
  if (reply == nullptr) return {};
  const int t = reply->type;
  if (t != REDIS_REPLY_STRING && t != REDIS_REPLY_STATUS && t != REDIS_REPLY_ERROR) return {};
  return {reply->str, reply->len};
}

}  // namespace levelcast
