#pragma once
// ExecSource: raw PCM from the standard output of `/bin/sh -c COMMAND` (an ffmpeg, arecord or
// sox pipeline the operator writes). The command's stderr goes to our log line by line
// ("source NAME: LINE"). When the command ends, it is logged and, with restart=always, started
// again after a pause that doubles from 0.5 s up to 30 s and falls back to 0.5 s after a run
// of 60 s or more; with restart=never the source ends. The audio is the clock.
//
// Owns one ChildProcess at a time. interrupt() or destruction stops the child (SIGTERM, then
// SIGKILL after 1 s) and reaps it.
//
// Threads: read() from the producer thread only; interrupt() from any thread. read() does all
// process handling itself, in one poll() over stdout, stderr, the child's pidfd and the
// interrupt eventfd, so no helper thread is needed.
#include <memory>
#include <string>

#include "push/audio/audio_source.hpp"
#include "push/audio/child_process.hpp"
#include "push/audio/interrupt_event.hpp"
#include "push/audio/line_splitter.hpp"
#include "push/audio/sample_format.hpp"
#include "push/audio/source_spec.hpp"

namespace levelcast {

struct ExecConfig {
  std::string name;  // the topic, for the log
  std::string command;
  SampleFormat format = SampleFormat::s16le;
  int channels = 2;
  int sample_rate = 48000;
  RestartPolicy restart = RestartPolicy::always;
};

class ExecSource final : public AudioSource {
 public:
  static constexpr int64_t kFirstBackoffMs = 500;
  static constexpr int64_t kMaxBackoffMs = 30'000;
  static constexpr int64_t kStableRunMs = 60'000;  // a run this long resets the backoff
  static constexpr int kExitAfterEofMs = 1000;     // grace for a command that closed stdout

  // Starts the command. nullptr with `error` when it cannot be started at all.
  static std::unique_ptr<ExecSource> open(ExecConfig config, std::string& error);

  int channels() const override { return config_.channels; }
  int sample_rate() const override { return config_.sample_rate; }
  size_t read(std::span<float> out) override;
  bool paced_by_clock() const override { return false; }
  void interrupt() override { interrupt_.signal(); }
  std::string kind() const override { return "exec"; }

  // The running child's pid, -1 between runs. The reading thread only (tests, diagnostics).
  pid_t child_pid() const { return child_.pid(); }

 private:
  enum class Phase {
    running,   // the child runs; wait for output, stderr, its exit or the interrupt
    draining,  // the child has exited; take what is left in the pipe without waiting
    waiting,   // between runs, until restart_at_ms_
    ended,
  };

  explicit ExecSource(ExecConfig config);
  bool start_run(std::string& error);
  size_t step_running(std::span<float> out);
  size_t step_draining(std::span<float> out);
  void step_waiting();
  size_t read_stdout(std::span<float> out);
  void forward_stderr();
  void end_run();
  void stop();

  ExecConfig config_;
  ChildProcess child_;
  PcmDecoder decoder_;
  InterruptEvent interrupt_;
  LineSplitter stderr_lines_;
  Phase phase_ = Phase::running;
  bool stdout_open_ = false;
  bool stderr_open_ = false;
  int64_t run_started_ms_ = 0;
  int64_t stdout_closed_ms_ = 0;
  int64_t restart_at_ms_ = 0;
  int64_t backoff_ms_ = kFirstBackoffMs;
};

}  // namespace levelcast
