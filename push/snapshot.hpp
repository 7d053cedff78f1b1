#pragma once
// Snapshot: one measurement of a topic's audio, as pushed to clients. Plain data.
#include <cstdint>
#include <string>
#include <vector>

namespace levelcast {

struct ChannelLevel {
  double rms_db;   // dBFS; -infinity for digital silence
  double peak_db;  // dBFS of the largest absolute sample
};

struct Snapshot {
  std::string_view topic;
  uint64_t seq = 0;       // 1, 2, 3, ... per topic
  int64_t ts_micros = 0;  // wall clock at the end of the measured window
  double rate = 0;        // snapshots per second
  std::vector<ChannelLevel> channels;
};

}  // namespace levelcast
