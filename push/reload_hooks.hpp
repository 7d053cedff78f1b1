#pragma once
// ReloadHooks: what a SIGHUP changes in a running server without a restart. Each part that can
// take new settings (the log's level, format and file; TLS certificates once they exist)
// registers one hook at start-up; a reload hands every hook the freshly parsed options, in the
// order they were added. A hook that cannot apply its part logs why and keeps the old one.
//
// Threads: add() during start-up, run() from the thread that handles signals (main).
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace levelcast {

struct ServerOptions;

class ReloadHooks {
 public:
  using Hook = std::function<void(const ServerOptions& fresh)>;

  void add(std::string name, Hook hook) { hooks_.push_back({std::move(name), std::move(hook)}); }
  void run(const ServerOptions& fresh) const {
    for (const auto& [name, hook] : hooks_) hook(fresh);
  }
  size_t size() const { return hooks_.size(); }

 private:
  std::vector<std::pair<std::string, Hook>> hooks_;
};

}  // namespace levelcast
