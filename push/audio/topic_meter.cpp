#include "push/audio/topic_meter.hpp"

#include "push/audio/band_analyzer.hpp"
#include "push/audio/loudness_meter.hpp"
#include "push/audio/peak_hold.hpp"

namespace levelcast {

TopicMeter::TopicMeter(const MeterOptions& options, int channels, int sample_rate, size_t block_frames)
    : options_(options), channels_(channels), sample_rate_(sample_rate), levels_(channels) {
  if (options.peak_hold_seconds > 0) peak_hold_ = std::make_unique<PeakHold>(channels, options.peak_hold_seconds);
  if (options.loudness.any() || options.true_peak)
    loudness_ = std::make_unique<LoudnessMeter>(channels, sample_rate, options.loudness, options.true_peak);
  if (options.bands != BandLayout::off)
    bands_ = std::make_unique<BandAnalyzer>(options.bands, options.band_count, channels, sample_rate, block_frames);
}

TopicMeter::~TopicMeter() = default;
TopicMeter::TopicMeter(TopicMeter&&) noexcept = default;
TopicMeter& TopicMeter::operator=(TopicMeter&&) noexcept = default;

void TopicMeter::measure(std::span<const float> interleaved_block, Snapshot& out) {
  levels_.measure(interleaved_block, out.channels);
  if (peak_hold_) {
    const size_t frames = interleaved_block.size() / static_cast<size_t>(channels_);
    peak_hold_->update(out.channels, static_cast<double>(frames) / sample_rate_);
  }
  out.has_loudness = loudness_ != nullptr;
  if (loudness_)
    loudness_->measure(interleaved_block, out.loudness);
  else
    out.loudness = Loudness{};
  if (bands_) {
    bands_->measure(interleaved_block, out.bands_db);
    out.band_hz = bands_->band_hz();
  } else {
    out.bands_db.clear();
    out.band_hz.clear();
  }
}

bool TopicMeter::reset_loudness() {
  if (!resets_loudness()) return false;
  loudness_->reset();
  return true;
}

std::vector<std::string> TopicMeter::fields() const {
  std::vector<std::string> fields = {"rms", "peak"};
  if (peak_hold_) fields.emplace_back("peak_hold");
  if (options_.loudness.momentary) fields.emplace_back("loudness.momentary");
  if (options_.loudness.short_term) fields.emplace_back("loudness.short_term");
  if (options_.loudness.integrated) fields.emplace_back("loudness.integrated");
  if (options_.true_peak) fields.emplace_back("loudness.true_peak");
  if (options_.loudness.range) fields.emplace_back("loudness.range");
  if (options_.loudness.maxima) {
    fields.emplace_back("loudness.max_momentary");
    fields.emplace_back("loudness.max_short_term");
  }
  if (bands_) fields.emplace_back("bands");
  return fields;
}

const std::vector<double>& TopicMeter::band_hz() const {
  static const std::vector<double> kNone;
  return bands_ ? bands_->band_hz() : kNone;
}

}  // namespace levelcast
