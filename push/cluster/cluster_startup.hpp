#pragma once
// Start-up of a node with --cluster, before any thread runs: claims the owner lease of every
// local topic and reads where its seq continues (after its stream's last id, in the same epoch;
// a topic without a stream starts a new epoch). A topic whose lease a live node holds stops
// start-up (exit 2, the other node named). When Redis is away the node starts anyway: seq from
// 1 in a new epoch, leases claimed by the publisher once Redis answers.
//
// Threads: the server's thread, before the producers exist.
#include <string>
#include <vector>

#include "push/cluster/cluster_config.hpp"
#include "push/cluster/cluster_publisher.hpp"
#include "push/topic.hpp"

namespace levelcast {

// Fills `owned` (one per topic in `topics`, in order) and sets each topic's seq_base. false
// with `error` when another node owns one of the topics.
bool claim_local_topics(const ClusterConfig& config, TopicRegistry& topics, std::vector<OwnedTopicStart>& owned,
                        std::string& error);

// HOSTNAME:PORT, the default --node-id.
std::string default_node_id(uint16_t port);

}  // namespace levelcast
