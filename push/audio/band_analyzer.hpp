#pragma once
// BandAnalyzer: spectrum band levels of a block through FFTW. Octave bands (10, 31.5 Hz to
// 16 kHz), third-octave bands (31, 20 Hz to 20 kHz) or N log-spaced bands from 20 Hz to 20 kHz;
// bands that start at or above Nyquist are left out.
//
// Per block: each channel's last `fft_size()` frames (or all, when the block is shorter) are
// Hann-windowed, zero-padded to fft_size() and transformed; the power spectra of the channels
// are averaged, and each band's level is the sum of the power in its bins. Levels are scaled so
// the bands add up to the block's mean-square level: a sine of peak amplitude A reads
// 20*log10(A/sqrt(2)) dB in its band, like its RMS in dBFS. A band with no power reads
// -infinity. Band edges are fc/2^(1/2)..fc*2^(1/2) (octaves) and fc/2^(1/6)..fc*2^(1/6)
// (thirds), with exact base-2 centres (1000 * 2^(k/3)); band_hz() gives the nominal centres.
//
// fft_size() is a power of two at least the block, and fine enough that every band holds at
// least one bin (up to 65536 points). Plans once (FFTW_ESTIMATE) and allocates all buffers at
// construction; measure() allocates nothing. Not thread-safe: one per producer (construction
// and destruction from any thread; FFTW's planner is serialised inside).
#include <cstddef>
#include <span>
#include <vector>

#include "push/audio/source_spec.hpp"

struct fftwf_plan_s;

namespace levelcast {

class BandAnalyzer {
 public:
  static constexpr size_t kMaxFftSize = 65536;

  // `block_frames`: the usual block length, so the FFT can cover it whole (0: unknown).
  BandAnalyzer(BandLayout layout, int band_count, int channels, int sample_rate, size_t block_frames);
  ~BandAnalyzer();
  BandAnalyzer(const BandAnalyzer&) = delete;
  BandAnalyzer& operator=(const BandAnalyzer&) = delete;

  // Sets `bands_db` (resized to band_count()) from the block.
  void measure(std::span<const float> interleaved, std::vector<double>& bands_db);

  const std::vector<double>& band_hz() const { return centres_; }
  size_t band_count() const { return centres_.size(); }
  size_t fft_size() const { return fft_size_; }

 private:
  struct BinRange {
    size_t first;
    size_t last;  // exclusive
  };
  void prepare_window(size_t length);

  int channels_;
  size_t fft_size_;
  std::vector<double> centres_;
  std::vector<BinRange> bins_;
  float* input_ = nullptr;              // fft_size_ real samples (fftwf_malloc: SIMD-aligned)
  float (*output_)[2] = nullptr;        // fft_size_/2+1 fftwf_complex
  fftwf_plan_s* plan_ = nullptr;
  std::vector<float> window_;
  size_t window_length_ = 0;
  double window_power_ = 0;  // sum of the squared window
  std::vector<double> power_;  // per bin, summed over channels
};

}  // namespace levelcast
