#include "push/audio/synth_source.hpp"

#include <cmath>
#include <numbers>

namespace levelcast {
namespace {
constexpr double kTwoPi = 2.0 * std::numbers::pi;
constexpr double kNoiseAmplitude = 0.003;  // about -50 dBFS
}  // namespace

SynthSource::SynthSource(int channels, int sample_rate)
    : channels_(channels), sample_rate_(sample_rate), tone_phase_(static_cast<size_t>(channels), 0.0) {}

// A 32-bit LCG: cheap, deterministic, good enough for background noise.
float SynthSource::next_noise() {
  noise_state_ = noise_state_ * 1664525u + 1013904223u;
  return static_cast<float>(static_cast<double>(noise_state_) / 4294967296.0 * 2.0 - 1.0);
}

size_t SynthSource::read(std::span<float> out) {
  const auto channels = static_cast<size_t>(channels_);
  const size_t frames = out.size() / channels;
  const double rate = sample_rate_;
  const double t = static_cast<double>(frame_index_) / rate;
  for (size_t ch = 0; ch < channels; ++ch) {
    // The level wanders with a period of a few seconds, different per channel; it moves so
    // slowly that one value per block is enough (and saves a pow() per sample).
    const double period = 4.0 + 1.5 * static_cast<double>(ch);
    const double level_db = -18.0 + 12.0 * std::sin(kTwoPi * t / period + static_cast<double>(ch));
    const double amplitude = std::pow(10.0, level_db / 20.0);
    const double step = kTwoPi * 440.0 * static_cast<double>(ch + 1) / rate;
    double phase = tone_phase_[ch];
    for (size_t i = 0; i < frames; ++i) {
      phase += step;
      out[i * channels + ch] = static_cast<float>(amplitude * std::sin(phase));
    }
    tone_phase_[ch] = std::fmod(phase, kTwoPi);
  }
  for (float& sample : out.first(frames * channels)) {
    sample += static_cast<float>(kNoiseAmplitude * next_noise());
  }
  frame_index_ += frames;
  return frames;
}

}  // namespace levelcast
