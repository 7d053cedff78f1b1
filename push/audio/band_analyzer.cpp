#include "push/audio/band_analyzer.hpp"

#include <fftw3.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <mutex>
#include <numbers>

#include "core/check.hpp"

namespace levelcast {
namespace {

constexpr size_t kMinFftSize = 256;
constexpr double kLowestHz = 20.0;    // range of log-spaced bands
constexpr double kHighestHz = 20000.0;

constexpr std::array<double, 10> kOctaveNominal = {31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000};
constexpr std::array<double, 31> kThirdNominal = {20,   25,   31.5, 40,   50,   63,    80,    100,
                                                   125,  160,  200,  250,  315,  400,   500,   630,
                                                   800,  1000, 1250, 1600, 2000, 2500,  3150,  4000,
                                                   5000, 6300, 8000, 10000, 12500, 16000, 20000};

struct Band {
  double nominal;
  double centre;
  double low;
  double high;
};

// Standard bands: exact centres 1000 * 2^(k * fraction), edges a half band either side.
template <size_t N>
std::vector<Band> standard_bands(const std::array<double, N>& nominal, int first_k, double fraction) {
  std::vector<Band> bands;
  for (size_t i = 0; i < N; ++i) {
    const double centre = 1000.0 * std::exp2((first_k + static_cast<double>(i)) * fraction);
    const double half = std::exp2(fraction / 2);
    bands.push_back({nominal[i], centre, centre / half, centre * half});
  }
  return bands;
}

std::vector<Band> log_spaced_bands(int count) {
  std::vector<Band> bands;
  const double ratio = std::pow(kHighestHz / kLowestHz, 1.0 / count);
  for (int i = 0; i < count; ++i) {
    const double low = kLowestHz * std::pow(ratio, i);
    const double centre = low * std::sqrt(ratio);
    bands.push_back({centre, centre, low, low * ratio});
  }
  return bands;
}

std::vector<Band> make_bands(BandLayout layout, int count, double nyquist) {
  std::vector<Band> bands = layout == BandLayout::octave  ? standard_bands(kOctaveNominal, -5, 1.0)
                            : layout == BandLayout::third ? standard_bands(kThirdNominal, -17, 1.0 / 3)
                                                          : log_spaced_bands(count);
  std::erase_if(bands, [&](const Band& b) { return b.low >= nyquist; });
  for (Band& b : bands) b.high = std::min(b.high, nyquist);
  return bands;
}

// Fine enough that the narrowest band holds a bin, long enough for the whole block.
size_t choose_fft_size(const std::vector<Band>& bands, double rate, size_t block_frames) {
  double narrowest = rate;
  for (const Band& b : bands) narrowest = std::min(narrowest, b.high - b.low);
  const auto for_resolution = static_cast<size_t>(std::ceil(rate / narrowest));
  const size_t wanted = std::max({for_resolution, block_frames, kMinFftSize});
  return std::min(std::bit_ceil(wanted), BandAnalyzer::kMaxFftSize);
}

// FFTW's planner is not thread-safe; producers may be built on several threads.
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

BandAnalyzer::BandAnalyzer(BandLayout layout, int band_count, int channels, int sample_rate, size_t block_frames)
    : channels_(channels) {
  LC_CHECK(layout != BandLayout::off && channels > 0 && sample_rate > 0);
  const double rate = sample_rate;
  const std::vector<Band> bands = make_bands(layout, band_count, rate / 2);
  fft_size_ = choose_fft_size(bands, rate, block_frames);
  const size_t bins = fft_size_ / 2 + 1;
  const double bin_hz = rate / static_cast<double>(fft_size_);
  for (const Band& b : bands) {
    centres_.push_back(b.nominal);
    size_t first = static_cast<size_t>(std::ceil(b.low / bin_hz));
    size_t last = std::min(bins, static_cast<size_t>(std::ceil(b.high / bin_hz)));
    if (b.high >= rate / 2) last = bins;  // the top band keeps the Nyquist bin
    if (first >= last) {                   // narrower than a bin (only at kMaxFftSize)
      first = std::min(bins - 1, static_cast<size_t>(std::lround(b.centre / bin_hz)));
      last = first + 1;
    }
    bins_.push_back({first, last});
  }
  window_.resize(fft_size_);
  power_.resize(bins);
  const std::lock_guard lock(planner_mutex());
  input_ = fftwf_alloc_real(fft_size_);
  output_ = fftwf_alloc_complex(bins);
  LC_CHECK(input_ != nullptr && output_ != nullptr);
  plan_ = fftwf_plan_dft_r2c_1d(static_cast<int>(fft_size_), input_, output_, FFTW_ESTIMATE);
  LC_CHECK(plan_ != nullptr);
}

BandAnalyzer::~BandAnalyzer() {
  const std::lock_guard lock(planner_mutex());
  fftwf_destroy_plan(plan_);
  fftwf_free(output_);
  fftwf_free(input_);
}

void BandAnalyzer::prepare_window(size_t length) {
  if (length == window_length_) return;
  window_length_ = length;
  window_power_ = 0;
  for (size_t n = 0; n < length; ++n) {
    // Hann; too short a block for one is left rectangular.
    const double w = length < 3 ? 1.0
                                : 0.5 - 0.5 * std::cos(2 * std::numbers::pi * static_cast<double>(n) /
                                                       static_cast<double>(length - 1));
    window_[n] = static_cast<float>(w);
    window_power_ += w * w;
  }
}

void BandAnalyzer::measure(std::span<const float> interleaved, std::vector<double>& bands_db) {
  const auto channels = static_cast<size_t>(channels_);
  const size_t frames = interleaved.size() / channels;
  bands_db.assign(centres_.size(), -std::numeric_limits<double>::infinity());
  if (frames == 0) return;
  const size_t length = std::min(frames, fft_size_);
  const size_t start = frames - length;
  prepare_window(length);
  std::fill(power_.begin(), power_.end(), 0.0);
  for (size_t ch = 0; ch < channels; ++ch) {
    for (size_t n = 0; n < length; ++n) input_[n] = interleaved[(start + n) * channels + ch] * window_[n];
    std::fill(input_ + length, input_ + fft_size_, 0.0f);
    fftwf_execute(plan_);
    for (size_t k = 0; k < power_.size(); ++k) {
      const double re = output_[k][0];
      const double im = output_[k][1];
      // One-sided spectrum: every bin but DC and Nyquist stands for two.
      const double sides = (k == 0 || k == fft_size_ / 2) ? 1.0 : 2.0;
      power_[k] += sides * (re * re + im * im);
    }
  }
  // Parseval: sum over bins of |X|^2 = N * sum of (x*w)^2, and sum (x*w)^2 / sum w^2 estimates
  // the mean square of x.
  const double scale = 1.0 / (static_cast<double>(fft_size_) * window_power_ * static_cast<double>(channels));
  for (size_t b = 0; b < bins_.size(); ++b) {
    double sum = 0;
    for (size_t k = bins_[b].first; k < bins_[b].last; ++k) sum += power_[k];
    sum *= scale;
    if (sum > 0) bands_db[b] = 10.0 * std::log10(sum);
  }
}

}  // namespace levelcast
