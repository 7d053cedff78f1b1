#pragma once
// ClusterConfig: --cluster, --node-id, --cluster-prefix, --cluster-timeout. Plain data.
#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <string>

#include "push/cluster/redis_endpoint.hpp"

namespace levelcast {

struct ClusterConfig {
  bool enabled = false;  // --cluster given
  RedisEndpoint redis;
  std::string node_id;   // empty: HOSTNAME:PORT, filled in once the port is known
  std::string prefix = "levelcast";
  int64_t timeout_ns = 3'000'000'000;  // a silent owner is stalled after this; the lease's length
  size_t history = 256;                // entries kept per topic stream (MAXLEN ~), = --history

  // The owner lease: --cluster-timeout, but at least three renewals (one a second) long, so
  // that a slow second does not hand a live owner's topics to another node.
  std::string lease_ms() const {
    return std::to_string(std::max<int64_t>(timeout_ns, 3'000'000'000) / 1'000'000);
  }
};

}  // namespace levelcast
