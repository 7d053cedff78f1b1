#pragma once
// Snapshot: one measurement of a topic's audio, as pushed to clients. Plain data; the encoders
// (snapshot_json, snapshot_binary) turn it into the bytes of one WebSocket frame.
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

namespace levelcast {

constexpr double kNotMeasured = NAN;  // a field the topic was not asked to measure

struct ChannelLevel {
  double rms_db = kNotMeasured;        // dBFS; -infinity for digital silence
  double peak_db = kNotMeasured;       // dBFS of the largest absolute sample in the window
  double peak_hold_db = kNotMeasured;  // held peak with decay, when the topic asks for it
};

// EBU R128 / ITU-R BS.1770, per topic (all channels together), in LUFS; true peak in dBTP;
// loudness range in LU (EBU Tech 3342). -infinity: silence, or not measurable yet (JSON null).
struct Loudness {
  double momentary = kNotMeasured;       // 400 ms
  double short_term = kNotMeasured;      // 3 s
  double integrated = kNotMeasured;      // since the start or the last reset (loudness=i)
  double true_peak = kNotMeasured;       // when asked (truepeak=1)
  double range = kNotMeasured;           // LRA since the start or the last reset (loudness=l)
  double max_momentary = kNotMeasured;   // since the start or the last reset (loudness=x)
  double max_short_term = kNotMeasured;  // likewise
};

struct Snapshot {
  std::string_view topic;
  uint64_t seq = 0;       // 1, 2, 3, ... per topic
  int64_t ts_micros = 0;  // wall clock at the end of the measured window
  double rate = 0;        // snapshots per second
  std::vector<ChannelLevel> channels;
  bool has_loudness = false;
  Loudness loudness;
  std::vector<double> bands_db;    // spectrum band levels (dB), empty when off
  std::vector<double> band_hz;     // centre frequency of each band (for /topics and README)
};

}  // namespace levelcast
