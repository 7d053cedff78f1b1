#include "core/log_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include "core/log.hpp"

namespace levelcast {
namespace {
int open_log(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}
}  // namespace

LogWriter& LogWriter::instance() {
  // Leaked on purpose: see the class comment.
  static LogWriter* const writer = new LogWriter();
  return *writer;
}

LogWriter::LogWriter() : fd_(STDERR_FILENO) {
  queue_.reserve(64);
  std::thread([this] { run(); }).detach();
}

bool LogWriter::push(std::string line) {
  {
    std::lock_guard lock(mutex_);
    if (queued_bytes_ + line.size() > kMaxQueuedBytes) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queued_bytes_ += line.size();
    queue_.push_back(std::move(line));
  }
  work_.notify_one();
  return true;
}

bool LogWriter::set_file(const std::string& path, std::string& error) {
  int fd = STDERR_FILENO;
  if (!path.empty()) {
    fd = open_log(path);
    if (fd < 0) {
      error = fmt::format("cannot open log file {}: {}", path, std::strerror(errno));
      return false;
    }
  }
  {
    // The writer may be stuck on the old descriptor: it switches between batches, not us.
    std::lock_guard lock(mutex_);
    if (next_fd_ > STDERR_FILENO) ::close(next_fd_);
    next_fd_ = fd;
  }
  work_.notify_one();
  return true;
}

bool LogWriter::flush(int timeout_ms) {
  std::unique_lock lock(mutex_);
  return drained_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                           [this] { return queue_.empty() && !writing_; });
}

void LogWriter::run() {
  std::vector<std::string> batch;
  std::string bytes;
  while (true) {
    int fd = -1;
    {
      std::unique_lock lock(mutex_);
      writing_ = false;
      drained_.notify_all();
      work_.wait(lock, [this] { return !queue_.empty() || next_fd_ >= 0; });
      if (next_fd_ >= 0) {
        if (fd_ != STDERR_FILENO) ::close(fd_);
        fd_ = std::exchange(next_fd_, -1);
      }
      batch.swap(queue_);
      queued_bytes_ = 0;
      writing_ = true;
      fd = fd_;
    }
    bytes.clear();
    for (const std::string& line : batch) bytes += line;
    batch.clear();
    if (!bytes.empty()) {
      // Blocking on purpose, on this thread only: the queue absorbs the wait, or drops.
      size_t done = 0;
      while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // the output is gone; nothing better to do with the lines
        done += static_cast<size_t>(n);
      }
    }
    const uint64_t dropped = dropped_.load(std::memory_order_relaxed);
    if (dropped != dropped_reported_) {
      log_fields(LogLevel::warn, "log lines dropped: the log output was too slow",
                 {{"dropped", std::to_string(dropped - dropped_reported_)}});
      dropped_reported_ = dropped;
    }
  }
}

}  // namespace levelcast
