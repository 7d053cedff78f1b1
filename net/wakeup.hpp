#pragma once
// Wakeup: an eventfd that other threads use to wake a loop thread. notify() is safe from any
// thread and writes the eventfd only when no wake-up is already pending, so a burst of messages
// costs one syscall; the loop thread calls consume() before draining its queues.
#include <atomic>

#include "net/socket.hpp"

namespace levelcast {

class Wakeup {
 public:
  Wakeup();
  int fd() const { return fd_.get(); }
  void notify();   // any thread
  void consume();  // loop thread only, before it drains what the wake-up announced

 private:
  UniqueFd fd_;
  std::atomic<bool> pending_{false};
};

}  // namespace levelcast
