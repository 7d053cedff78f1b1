#pragma once
// WavSource: plays a RIFF/WAVE file (see wav_header.hpp for the formats). Sample rate and
// channels come from the header. Once the data is played the source ends, or, with loop,
// starts again from the first frame. Paced by the clock when `realtime` (the producer reads one
// block per period, as if it were live); otherwise the file is read as fast as it is asked for.
//
// Threads: read() from the producer thread only. A file read does not block for long, so
// interrupt() has nothing to wake.
#include <memory>
#include <string>
#include <vector>

#include "push/audio/audio_source.hpp"
#include "push/audio/wav_header.hpp"

namespace levelcast {

class WavSource final : public AudioSource {
 public:
  // nullptr with a one-line `error` ("wav:PATH: not a RIFF/WAVE file") when unusable.
  static std::unique_ptr<WavSource> open(const std::string& path, bool loop, bool realtime, std::string& error);
  ~WavSource() override;

  int channels() const override { return layout_.channels; }
  int sample_rate() const override { return layout_.sample_rate; }
  size_t read(std::span<float> out) override;
  bool paced_by_clock() const override { return realtime_; }
  std::string kind() const override { return "wav"; }

 private:
  WavSource(std::string path, int fd, const WavLayout& layout, bool loop, bool realtime);
  // Reads up to `frames` frames from the current position into `out`; 0 at the end of data.
  size_t read_frames(size_t frames, float* out);

  std::string path_;
  int fd_;
  WavLayout layout_;
  bool loop_;
  bool realtime_;
  uint64_t position_ = 0;  // bytes into the data chunk
  bool ended_ = false;
  std::vector<std::byte> bytes_;
};

}  // namespace levelcast
