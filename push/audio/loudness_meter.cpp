#include "push/audio/loudness_meter.hpp"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/check.hpp"
#include "push/audio/level_meter.hpp"

namespace levelcast {
namespace {

int ebur128_mode(LoudnessModes modes, bool true_peak) {
  int mode = EBUR128_MODE_M;
  if (modes.short_term) mode |= EBUR128_MODE_S;
  if (modes.integrated) mode |= EBUR128_MODE_I | EBUR128_MODE_HISTOGRAM;
  if (true_peak) mode |= EBUR128_MODE_TRUE_PEAK;
  return mode;
}

// One of libebur128's loudness queries, in LUFS. It reports silence as -HUGE_VAL: keep that
// -infinity; what it could not compute is "not measured".
double lufs(int (*query)(ebur128_state*, double*), ebur128_state* state) {
  double value = 0;
  if (query(state, &value) != EBUR128_SUCCESS) return kNotMeasured;
  return value == -HUGE_VAL ? -std::numeric_limits<double>::infinity() : value;
}

}  // namespace

struct LoudnessMeter::State {
  ebur128_state* st = nullptr;
  ~State() { ebur128_destroy(&st); }
};

LoudnessMeter::LoudnessMeter(int channels, int sample_rate, LoudnessModes modes, bool true_peak)
    : channels_(static_cast<unsigned>(channels)), modes_(modes), true_peak_(true_peak) {
  state_ = std::make_unique<State>();
  state_->st = ebur128_init(channels_, static_cast<unsigned long>(sample_rate), ebur128_mode(modes, true_peak));
  LC_CHECK(state_->st != nullptr);  // only for channels or a rate the spec parser rejects, or no memory
}

LoudnessMeter::~LoudnessMeter() = default;

void LoudnessMeter::measure(std::span<const float> interleaved, Loudness& out) {
  const size_t frames = interleaved.size() / channels_;
  if (frames > 0) ebur128_add_frames_float(state_->st, interleaved.data(), frames);
  out = Loudness{};
  if (modes_.momentary) out.momentary = lufs(ebur128_loudness_momentary, state_->st);
  if (modes_.short_term) out.short_term = lufs(ebur128_loudness_shortterm, state_->st);
  if (modes_.integrated) out.integrated = lufs(ebur128_loudness_global, state_->st);
  if (true_peak_) {
    double peak = 0;
    for (unsigned ch = 0; ch < channels_; ++ch) {
      double value = 0;
      if (ebur128_prev_true_peak(state_->st, ch, &value) == EBUR128_SUCCESS) peak = std::max(peak, value);
    }
    out.true_peak = amplitude_to_db(frames > 0 ? peak : 0.0);
  }
}

}  // namespace levelcast
