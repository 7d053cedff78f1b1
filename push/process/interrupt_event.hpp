#pragma once
// InterruptEvent: a one-shot "stop waiting" signal that a blocked poll() can watch. It owns an
// eventfd; signal() may be called from any thread, any number of times, and the fd stays
// readable from then on. fd() is for poll() by the one thread that reads the source.
#include <atomic>
#include <string>

namespace levelcast {

class InterruptEvent {
 public:
  InterruptEvent() = default;
  ~InterruptEvent();
  InterruptEvent(const InterruptEvent&) = delete;
  InterruptEvent& operator=(const InterruptEvent&) = delete;

  // Creates the eventfd; false with `error` when the process is out of descriptors.
  bool open(std::string& error);
  void signal();  // any thread
  bool signalled() const { return signalled_.load(std::memory_order_acquire); }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::atomic<bool> signalled_{false};
};

enum class WaitResult { ready, interrupted, timed_out, failed };

// Waits until `fd` is readable or hung up, `interrupt` is signalled, or `timeout_ms` passes
// (-1: no limit). fd -1 waits for the interrupt or the timeout only. EINTR is retried.
WaitResult wait_readable(int fd, const InterruptEvent& interrupt, int timeout_ms);

}  // namespace levelcast
