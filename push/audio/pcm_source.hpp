#pragma once
// PcmSource: raw interleaved little-endian PCM (s16le, s32le or f32le) from a file, a named
// pipe or stdin ("-"). The audio is the clock: read() blocks until bytes arrive, and a frame
// split across reads is carried over. End of file (the writer closed the pipe) ends the source.
//
// Threads: read() from the producer thread only; interrupt() from any thread.
#include <memory>
#include <string>

#include "push/audio/audio_source.hpp"
#include "push/process/interrupt_event.hpp"
#include "push/audio/sample_format.hpp"

namespace levelcast {

class PcmSource final : public AudioSource {
 public:
  // Opens `path` ("-": stdin, which is read but never closed). nullptr with `error` on failure.
  static std::unique_ptr<PcmSource> open(const std::string& path, SampleFormat format, int channels,
                                         int sample_rate, std::string& error);
  ~PcmSource() override;

  int channels() const override { return channels_; }
  int sample_rate() const override { return sample_rate_; }
  size_t read(std::span<float> out) override;
  bool paced_by_clock() const override { return false; }
  void interrupt() override { interrupt_.signal(); }
  std::string kind() const override { return "pcm"; }

 private:
  PcmSource(std::string path, int fd, bool owns_fd, SampleFormat format, int channels, int sample_rate);

  std::string path_;
  int fd_;
  bool owns_fd_;
  int channels_;
  int sample_rate_;
  PcmDecoder decoder_;
  InterruptEvent interrupt_;
  bool ended_ = false;
};

}  // namespace levelcast
