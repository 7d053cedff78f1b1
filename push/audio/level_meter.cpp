#include "push/audio/level_meter.hpp"

#include <cmath>
#include <limits>

namespace levelcast {

double amplitude_to_db(double amplitude) {
  if (amplitude <= 0.0) return -std::numeric_limits<double>::infinity();
  return 20.0 * std::log10(amplitude);
}

size_t replace_non_finite(std::span<float> samples) {
  size_t replaced = 0;
  for (float& s : samples) {
    if (std::isfinite(s)) continue;
    s = s < 0 ? -1.0f : 1.0f;  // NaN compares false: +1.0
    ++replaced;
  }
  return replaced;
}

void LevelMeter::measure(std::span<const float> interleaved, std::vector<ChannelLevel>& out) const {
  const auto channels = static_cast<size_t>(channels_);
  out.assign(channels, ChannelLevel{});
  const size_t frames = interleaved.size() / channels;
  for (size_t ch = 0; ch < channels; ++ch) {
    double sum_squares = 0.0;
    double peak = 0.0;
    for (size_t i = 0; i < frames; ++i) {
      const double s = interleaved[i * channels + ch];
      sum_squares += s * s;
      peak = std::max(peak, std::fabs(s));
    }
    const double rms = frames == 0 ? 0.0 : std::sqrt(sum_squares / static_cast<double>(frames));
    out[ch] = {amplitude_to_db(rms), amplitude_to_db(peak)};
  }
}

}  // namespace levelcast
