#pragma once
// ExecSource: raw PCM from the standard output of `/bin/sh -c COMMAND` (an ffmpeg, arecord or
// sox pipeline the operator writes), restarted as CommandStream says. The audio is the clock.
//
// Threads: read() from the producer thread only; interrupt() from any thread.
#include <memory>
#include <string>

#include "push/audio/audio_source.hpp"
#include "push/process/command_stream.hpp"
#include "push/audio/sample_format.hpp"

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
  // Starts the command. nullptr with `error` when it cannot be started at all.
  static std::unique_ptr<ExecSource> open(ExecConfig config, std::string& error);

  int channels() const override { return config_.channels; }
  int sample_rate() const override { return config_.sample_rate; }
  size_t read(std::span<float> out) override;
  bool paced_by_clock() const override { return false; }
  void interrupt() override { stream_->interrupt(); }
  std::string kind() const override { return "exec"; }
  const CommandStatus* command_status() const override { return &stream_->status(); }

  // The running child's pid, -1 between runs. The reading thread only (tests, diagnostics).
  pid_t child_pid() const { return stream_->child_pid(); }

 private:
  ExecSource(ExecConfig config, std::unique_ptr<CommandStream> stream);

  ExecConfig config_;
  std::unique_ptr<CommandStream> stream_;
  PcmDecoder decoder_;
  uint64_t run_ = 0;  // the stream's run the decoder's carried bytes belong to
};

}  // namespace levelcast
