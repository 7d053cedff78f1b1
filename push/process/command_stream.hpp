#pragma once
// CommandStream: the standard output of `/bin/sh -c COMMAND` as a byte stream that survives the
// command's restarts. The command's stderr goes to our log line by line ("source NAME: LINE").
// When the command ends, it is logged and, with restart=always, started again after a pause that
// doubles from 0.5 s up to 30 s and falls back to 0.5 s after a run of 60 s or more; with
// restart=never the stream ends. ExecSource decodes PCM from it, LineSource cuts it into lines.
//
// Owns one ChildProcess at a time. interrupt() or destruction stops the child (SIGTERM, then
// SIGKILL after 1 s) and reaps it.
//
// Threads: read() from one reading thread only; interrupt() from any thread. read() does all
// process handling itself, in one poll() over stdout, stderr, the child's pidfd and the
// interrupt eventfd, so no helper thread is needed.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "push/process/child_process.hpp"
#include "push/process/interrupt_event.hpp"
#include "push/process/line_rate_limit.hpp"
#include "push/process/line_splitter.hpp"
#include "push/process/restart_policy.hpp"

namespace levelcast {

struct CommandConfig {
  std::string name;  // the topic, for the log
  std::string command;
  RestartPolicy restart = RestartPolicy::always;
};

// What /topics shows of a command's restarts. Written by the reading thread, read by any.
struct CommandStatus {
  std::atomic<uint32_t> restarts{0};       // runs started after the first
  std::atomic<bool> restarting{false};     // between runs: the command exited, not yet restarted
};

class CommandStream {
 public:
  static constexpr int64_t kFirstBackoffMs = 500;
  static constexpr int64_t kMaxBackoffMs = 30'000;
  static constexpr int64_t kStableRunMs = 60'000;  // a run this long resets the backoff
  static constexpr int kExitAfterEofMs = 1000;     // grace for a command that closed stdout
  static constexpr int64_t kSuppressedReportMs = 1000;  // at most one "suppressed" line a second

  // Starts the command. nullptr with `error` when it cannot be started at all.
  static std::unique_ptr<CommandStream> open(CommandConfig config, std::string& error);

  // Blocks until the command writes something and returns those bytes (at most out.size()),
  // or returns 0 when the stream has ended for good (restart=never) or was interrupted.
  size_t read(std::span<std::byte> out);
  void interrupt() { interrupt_.signal(); }
  // Rises each time the command is (re)started: a reader that keeps state across reads (a
  // partial frame, a partial line) drops it when the run changes.
  uint64_t run() const { return runs_; }
  const std::string& name() const { return config_.name; }
  const CommandStatus& status() const { return status_; }
  // The running child's pid, -1 between runs. The reading thread only (tests, diagnostics).
  pid_t child_pid() const { return child_.pid(); }

 private:
  enum class Phase {
    running,   // the child runs; wait for output, stderr, its exit or the interrupt
    draining,  // the child has exited; take what is left in the pipe without waiting
    waiting,   // between runs, until restart_at_ms_
    ended,
  };

  explicit CommandStream(CommandConfig config) : config_(std::move(config)) {}
  bool start_run(std::string& error);
  size_t step_running(std::span<std::byte> out);
  size_t step_draining(std::span<std::byte> out);
  void step_waiting();
  size_t read_stdout(std::span<std::byte> out);
  void forward_stderr();
  void log_stderr_line(std::string_view line);
  void report_suppressed();
  int stderr_pause_ms();
  void end_run();
  void stop();

  CommandConfig config_;
  ChildProcess child_;
  InterruptEvent interrupt_;
  LineSplitter stderr_lines_;
  LineRateLimit stderr_limit_;
  int64_t suppressed_reported_ms_ = 0;
  Phase phase_ = Phase::running;
  bool stdout_open_ = false;
  bool stderr_open_ = false;
  uint64_t runs_ = 0;
  int64_t run_started_ms_ = 0;
  int64_t stdout_closed_ms_ = 0;
  int64_t restart_at_ms_ = 0;
  int64_t backoff_ms_ = kFirstBackoffMs;
  CommandStatus status_;
};

}  // namespace levelcast
