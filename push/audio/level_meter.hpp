#pragma once
// LevelMeter: per-channel RMS and sample peak of a block of interleaved float samples
// (full scale = 1.0), in dBFS. A full-scale sine reads RMS -3.01 dBFS and peak 0.0 dBFS.
// Not thread-safe: one per producer.
#include <span>
#include <vector>

#include "push/snapshot.hpp"

namespace levelcast {

class LevelMeter {
 public:
  explicit LevelMeter(int channels) : channels_(channels) {}
  // Measures `interleaved` (frames x channels samples) into `out` (resized to channels).
  void measure(std::span<const float> interleaved, std::vector<ChannelLevel>& out) const;
  int channels() const { return channels_; }

 private:
  int channels_;
};

// 20*log10(amplitude); -infinity for 0.
double amplitude_to_db(double amplitude);

// Replaces each non-finite sample (NaN, +-infinity) with full scale (-1.0 for -infinity, +1.0
// otherwise), so that every meter reads it as clipping rather than silence and no NaN reaches a
// filter's state; returns how many it replaced.
size_t replace_non_finite(std::span<float> samples);

}  // namespace levelcast
