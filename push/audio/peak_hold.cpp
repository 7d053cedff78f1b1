#include "push/audio/peak_hold.hpp"

#include <algorithm>
#include <limits>

namespace levelcast {

PeakHold::PeakHold(int channels, double hold_seconds)
    : hold_seconds_(hold_seconds),
      held_(static_cast<size_t>(channels), Held{-std::numeric_limits<double>::infinity(), 0.0}) {}

void PeakHold::update(std::vector<ChannelLevel>& levels, double block_seconds) {
  for (size_t ch = 0; ch < levels.size() && ch < held_.size(); ++ch) {
    Held& h = held_[ch];
    h.age += block_seconds;
    double shown = h.db - kDecayDbPerSecond * std::max(0.0, h.age - hold_seconds_);
    if (shown < kFloorDb) shown = -std::numeric_limits<double>::infinity();
    const double peak = levels[ch].peak_db;
    if (peak >= shown) {
      h = {peak, 0.0};
      shown = peak;
    }
    levels[ch].peak_hold_db = shown;
  }
}

}  // namespace levelcast
