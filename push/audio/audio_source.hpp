#pragma once
// AudioSource: where a producer's samples come from. Interleaved float samples, full scale 1.0.
// Used by one producer thread only.
#include <cstddef>
#include <span>

namespace levelcast {

class AudioSource {
 public:
  virtual ~AudioSource() = default;
  virtual int channels() const = 0;
  virtual int sample_rate() const = 0;
  // Fills `out` (frames x channels) and returns the frames written; fewer means the source ended.
  virtual size_t read(std::span<float> out) = 0;
};

}  // namespace levelcast
