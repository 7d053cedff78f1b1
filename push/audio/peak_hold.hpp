#pragma once
// PeakHold: per channel, the highest block peak holds for `hold_seconds`, then falls at 20 dB
// per second until a block peak reaches it again. Time advances by each block's duration. A
// held value that falls below -120 dBFS becomes -infinity (silence). Not thread-safe: one per
// producer.
#include <vector>

#include "push/snapshot.hpp"

namespace levelcast {

class PeakHold {
 public:
  static constexpr double kDecayDbPerSecond = 20.0;
  static constexpr double kFloorDb = -120.0;

  PeakHold(int channels, double hold_seconds);
  // Reads each channel's peak_db and sets its peak_hold_db, `block_seconds` after the last call.
  void update(std::vector<ChannelLevel>& levels, double block_seconds);

 private:
  struct Held {
    double db;   // the peak being held
    double age;  // seconds since it was set
  };
  double hold_seconds_;
  std::vector<Held> held_;
};

}  // namespace levelcast
