#pragma once
// TopicMeter: everything a topic measures in one block, as its spec's options ask: per-channel
// RMS and sample peak (LevelMeter), peak hold (PeakHold), EBU R128 loudness and true peak
// (LoudnessMeter, libebur128) and spectrum bands (BandAnalyzer, FFTW). Built once per topic at
// start-up; measure() allocates nothing once the snapshot's vectors have their size.
//
// Threads: one producer thread; not thread-safe. Movable, not copyable.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "push/audio/level_meter.hpp"
#include "push/audio/source_spec.hpp"
#include "push/snapshot.hpp"

namespace levelcast {

class BandAnalyzer;
class LoudnessMeter;
class PeakHold;

class TopicMeter {
 public:
  // `block_frames` is the usual block length (sample_rate / snapshot rate), so the spectrum's
  // FFT can cover a whole block; 0 when unknown.
  TopicMeter(const MeterOptions& options, int channels, int sample_rate, size_t block_frames = 0);
  ~TopicMeter();
  TopicMeter(TopicMeter&&) noexcept;
  TopicMeter& operator=(TopicMeter&&) noexcept;

  // Measures the block (whole frames x channels) into `out`: channels, and has_loudness /
  // loudness and bands_db / band_hz when asked for. Fields not asked for are left
  // kNotMeasured, false or empty. Time advances by the block's duration (for peak hold).
  void measure(std::span<const float> interleaved_block, Snapshot& out);

  // Restarts integrated loudness, loudness range and maxima from the next block; false (and
  // nothing done) when the topic measures none of them.
  bool reset_loudness();
  // Whether reset_loudness() does anything.
  bool resets_loudness() const { return loudness_ != nullptr && options_.loudness.resettable(); }

  // What the topic carries, for /topics: "rms", "peak", then as asked "peak_hold",
  // "loudness.momentary", "loudness.short_term", "loudness.integrated", "loudness.true_peak",
  // "loudness.range", "loudness.max_momentary", "loudness.max_short_term", "bands".
  std::vector<std::string> fields() const;
  // Centre frequencies of the bands (empty without bands), for /topics.
  const std::vector<double>& band_hz() const;
  int channels() const { return channels_; }
  int sample_rate() const { return sample_rate_; }

 private:
  MeterOptions options_;
  int channels_;
  int sample_rate_;
  LevelMeter levels_;
  std::unique_ptr<PeakHold> peak_hold_;
  std::unique_ptr<LoudnessMeter> loudness_;
  std::unique_ptr<BandAnalyzer> bands_;
};

}  // namespace levelcast
