#pragma once
// N connected TCP loopback pairs for benchmarks: the server side as levelcast Connections
// (non-blocking, TCP_NODELAY), the client side as plain descriptors to drain. Not thread-safe.
#include <memory>
#include <vector>

#include "net/connection.hpp"

namespace levelcast::bench {

class LoopbackPairs {
 public:
  explicit LoopbackPairs(size_t count);
  ~LoopbackPairs();
  LoopbackPairs(const LoopbackPairs&) = delete;
  LoopbackPairs& operator=(const LoopbackPairs&) = delete;

  const std::vector<Connection*>& servers() const { return server_view_; }
  // Reads everything the client sides have received; returns the bytes read.
  size_t drain_clients();

 private:
  std::vector<std::unique_ptr<Connection>> servers_;
  std::vector<Connection*> server_view_;
  std::vector<int> clients_;
};

}  // namespace levelcast::bench
