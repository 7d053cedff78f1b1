#pragma once
// The owner lease of a topic: P:owner:NAME holds the owner's node id for
// ClusterConfig::lease_ms() and the owner renews it every second. claim_lease() takes a free lease, or renews one this node
// already holds (a restarted owner keeps its topics), and otherwise names the holder. One Lua
// script, so checking and setting are one step in Redis.
//
// Threads: whichever thread owns the connection.
#include <cstdint>
#include <string>
#include <string_view>

#include "push/cluster/redis_reply.hpp"

namespace levelcast {

// EVAL arguments: the script, "1", the key, the node id, the lease in milliseconds.
inline constexpr std::string_view kLeaseScript =
    "local v = redis.call('GET', KEYS[1]) "
    "if v == false or v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end "
    "return v";

// EVAL arguments: the script, "1", the key, the node id: drops the lease if it is ours.
inline constexpr std::string_view kReleaseScript =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

// The reply of the lease script: empty when the lease is ours, else the holder's node id (or
// the error text).
std::string lease_holder(const redisReply* reply);

}  // namespace levelcast
