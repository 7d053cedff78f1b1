#pragma once
// LogWriter: the one thread that writes log lines. Owns a bounded queue of finished lines
// (at most kMaxQueuedBytes), the output descriptor (stderr or a file it opened) and the
// count of lines refused because the queue was full.
//
// Threads: push(), set_file(), flush() and dropped() from any thread. The writer
// thread is started on first use and never joined: it may be stuck in write() on a pipe nobody
// reads, and the process must still be able to exit. For that reason the one LogWriter is never
// destroyed either (instance() leaks it on purpose).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace levelcast {

class LogWriter {
 public:
  static constexpr size_t kMaxQueuedBytes = 256 << 10;

  static LogWriter& instance();

  // Queues one complete line (with its '\n'); never blocks on I/O. False when dropped.
  bool push(std::string line);
  bool set_file(const std::string& path, std::string& error);
  bool flush(int timeout_ms);
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  LogWriter();
  void run();

  std::mutex mutex_;
  std::condition_variable work_;     // lines queued or a new descriptor to take
  std::condition_variable drained_;  // the queue is empty and written
  std::vector<std::string> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  int fd_;
  int next_fd_ = -1;  // set_file()'s descriptor, taken by the writer between batches
  std::atomic<uint64_t> dropped_{0};
  uint64_t dropped_reported_ = 0;  // writer thread only
};

}  // namespace levelcast
