#pragma once
// SynthSource: a deterministic test signal, the default source. Each channel is a tone whose
// level drifts slowly between about -30 and -6 dBFS, plus quiet noise, at 48 kHz; the same
// samples come out on every run. One producer thread only.
#include <cstdint>
#include <vector>

#include "push/audio/audio_source.hpp"

namespace levelcast {

class SynthSource final : public AudioSource {
 public:
  explicit SynthSource(int channels, int sample_rate = 48000);
  int channels() const override { return channels_; }
  int sample_rate() const override { return sample_rate_; }
  size_t read(std::span<float> out) override;
  bool paced_by_clock() const override { return true; }
  std::string kind() const override { return "synth"; }

 private:
  float next_noise();

  int channels_;
  int sample_rate_;
  uint64_t frame_index_ = 0;
  uint32_t noise_state_ = 0x12345678u;
  std::vector<double> tone_phase_;  // radians, per channel
};

}  // namespace levelcast
