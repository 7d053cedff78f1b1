#include "push/process/command_stream.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/clock.hpp"
#include "core/log.hpp"

namespace levelcast {
namespace {
constexpr int kMaxStderrReads = 16;  // per call, so a chatty command cannot hold read() forever

int64_t now_ms() { return mono_nanos() / 1'000'000; }
int clamp_timeout(int64_t ms) { return static_cast<int>(std::clamp<int64_t>(ms, 0, 60'000)); }
}  // namespace

std::unique_ptr<CommandStream> CommandStream::open(CommandConfig config, std::string& error) {
  std::unique_ptr<CommandStream> stream(new CommandStream(std::move(config)));
  if (!stream->interrupt_.open(error)) return nullptr;
  if (!stream->start_run(error)) {
    error = fmt::format("{}: {}", stream->config_.command, error);
    return nullptr;
  }
  return stream;
}

bool CommandStream::start_run(std::string& error) {
  if (!child_.spawn(config_.command, error)) return false;
  LC_LOG(debug, "source {}: started pid {}: {}", config_.name, child_.pid(), config_.command);
  phase_ = Phase::running;
  stdout_open_ = true;
  stderr_open_ = true;
  run_started_ms_ = now_ms();
  ++runs_;
  return true;
}

size_t CommandStream::read(std::span<std::byte> out) {
  if (out.empty()) return 0;
  // Each pass blocks in poll() at most once; it ends with audio, the end, or the interrupt.
  while (phase_ != Phase::ended) {
    if (interrupt_.signalled()) {
      stop();
      break;
    }
    size_t bytes = 0;
    switch (phase_) {
      case Phase::running: bytes = step_running(out); break;
      case Phase::draining: bytes = step_draining(out); break;
      case Phase::waiting: step_waiting(); break;
      case Phase::ended: break;
    }
    if (bytes > 0) return bytes;
  }
  return 0;
}

size_t CommandStream::step_running(std::span<std::byte> out) {
  enum { kInterrupt, kStdout, kStderr, kExit, kCount };
  // Over its stderr rate the command's stderr is left unread for a while (its pipe fills).
  const int stderr_pause = stderr_pause_ms();
  pollfd fds[kCount] = {{interrupt_.fd(), POLLIN, 0},
                        {stdout_open_ ? child_.stdout_fd() : -1, POLLIN, 0},
                        {stderr_open_ && stderr_pause == 0 ? child_.stderr_fd() : -1, POLLIN, 0},
                        {child_.exit_fd(), POLLIN, 0}};
  // A command that closed stdout but keeps running gets kExitAfterEofMs, then it is stopped.
  int timeout = stdout_open_ ? -1 : clamp_timeout(stdout_closed_ms_ + kExitAfterEofMs - now_ms());
  if (stderr_pause > 0 && (timeout < 0 || stderr_pause < timeout)) timeout = stderr_pause;
  const int n = ::poll(fds, kCount, timeout);
  if (n < 0 && errno != EINTR) {
    LC_LOG(error, "source {}: poll: {}", config_.name, std::strerror(errno));
    stop();
    return 0;
  }
  if (n > 0) {
    if (fds[kInterrupt].revents != 0) return 0;
    if (fds[kStderr].revents != 0) forward_stderr();
    if (fds[kStdout].revents != 0) {
      const size_t bytes = read_stdout(out);
      if (bytes > 0) return bytes;
    }
    if (fds[kExit].revents != 0) {
      phase_ = Phase::draining;
      return 0;
    }
  }
  if (!stdout_open_ && now_ms() - stdout_closed_ms_ >= kExitAfterEofMs) end_run();
  return 0;
}

size_t CommandStream::step_draining(std::span<std::byte> out) {
  forward_stderr();
  const size_t bytes = stdout_open_ ? read_stdout(out) : 0;
  if (bytes == 0) end_run();
  return bytes;
}

void CommandStream::step_waiting() {
  const WaitResult r = wait_readable(-1, interrupt_, clamp_timeout(restart_at_ms_ - now_ms()));
  if (r == WaitResult::interrupted || now_ms() < restart_at_ms_) return;
  std::string error;
  if (start_run(error)) {
    status_.restarts.store(status_.restarts.load(std::memory_order_relaxed) + 1,
                           std::memory_order_relaxed);
    status_.restarting.store(false, std::memory_order_relaxed);
    return;
  }
  LC_LOG(error, "source {}: {}; retrying in {:.1f} s", config_.name, error, static_cast<double>(backoff_ms_) / 1000);
  restart_at_ms_ = now_ms() + backoff_ms_;
  backoff_ms_ = std::min(backoff_ms_ * 2, kMaxBackoffMs);
}

// Non-blocking: returns the bytes that are there now (0 when none, or at end of file).
size_t CommandStream::read_stdout(std::span<std::byte> out) {
  while (true) {
    const ssize_t n = ::read(child_.stdout_fd(), out.data(), out.size());
    if (n > 0) return static_cast<size_t>(n);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return 0;
    if (n < 0) LC_LOG(error, "source {}: reading the command's output: {}", config_.name, std::strerror(errno));
    stdout_open_ = false;
    stdout_closed_ms_ = now_ms();
    return 0;
  }
}

void CommandStream::forward_stderr() {
  char buffer[4096];
  for (int i = 0; i < kMaxStderrReads && stderr_open_; ++i) {
    const ssize_t n = ::read(child_.stderr_fd(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      stderr_open_ = false;
      break;
    }
    stderr_lines_.feed(std::string_view(buffer, static_cast<size_t>(n)),
                       [this](std::string_view line) { log_stderr_line(line); });
  }
}

int CommandStream::stderr_pause_ms() {
  return stderr_open_ ? static_cast<int>(stderr_limit_.ms_until_token(now_ms())) : 0;
}

void CommandStream::log_stderr_line(std::string_view line) {
  const int64_t now = now_ms();
  if (!stderr_limit_.admit(now)) return;
  // During a flood, one count a second (and the last one when the run ends).
  if (now - suppressed_reported_ms_ >= kSuppressedReportMs) report_suppressed();
  LC_LOG(info, "source {}: {}", config_.name, line);
}

void CommandStream::report_suppressed() {
  if (const uint64_t n = stderr_limit_.take_suppressed(); n > 0) {
    LC_LOG(warn, "source {}: {} stderr lines suppressed (more than {} a second)", config_.name, n,
           LineRateLimit::kLinesPerSecond);
    suppressed_reported_ms_ = now_ms();
  }
}

void CommandStream::end_run() {
  forward_stderr();
  child_.terminate();  // only reaps when it has exited by itself
  stderr_lines_.flush([this](std::string_view line) { log_stderr_line(line); });
  report_suppressed();
  const int64_t ran_ms = now_ms() - run_started_ms_;
  const std::string how = fmt::format("source {}: command {} after {:.1f} s", config_.name,
                                      child_.exit_description(), static_cast<double>(ran_ms) / 1000);
  if (config_.restart == RestartPolicy::never) {
    LC_LOG(info, "{}; restart=never, the source has ended", how);
    phase_ = Phase::ended;
    return;
  }
  if (ran_ms >= kStableRunMs) backoff_ms_ = kFirstBackoffMs;
  LC_LOG(warn, "{}; restarting in {:.1f} s", how, static_cast<double>(backoff_ms_) / 1000);
  restart_at_ms_ = now_ms() + backoff_ms_;
  backoff_ms_ = std::min(backoff_ms_ * 2, kMaxBackoffMs);
  phase_ = Phase::waiting;
  status_.restarting.store(true, std::memory_order_relaxed);
}

void CommandStream::stop() {
  if (child_.running()) {
    child_.terminate();
    LC_LOG(debug, "source {}: stopped the command ({})", config_.name, child_.exit_description());
  }
  phase_ = Phase::ended;
}

}  // namespace levelcast
