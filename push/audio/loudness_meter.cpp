#include "push/audio/loudness_meter.hpp"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/check.hpp"
#include "push/audio/level_meter.hpp"

namespace levelcast {
namespace {

constexpr double kMinusInfinity = -std::numeric_limits<double>::infinity();
constexpr double kShortTermSeconds = 3.0;  // also the first short-term block of the range

int ebur128_mode(LoudnessModes modes, bool true_peak) {
  int mode = EBUR128_MODE_M;
  if (modes.short_term || modes.maxima) mode |= EBUR128_MODE_S;
  if (modes.integrated) mode |= EBUR128_MODE_I | EBUR128_MODE_HISTOGRAM;
  if (modes.range) mode |= EBUR128_MODE_LRA | EBUR128_MODE_HISTOGRAM;
  if (true_peak) mode |= EBUR128_MODE_TRUE_PEAK;
  return mode;
}

// One of libebur128's loudness queries, in LUFS. It reports silence as -HUGE_VAL: keep that
// -infinity; what it could not compute is "not measured".
double lufs(int (*query)(ebur128_state*, double*), ebur128_state* state) {
  double value = 0;
  if (query(state, &value) != EBUR128_SUCCESS) return kNotMeasured;
  return value == -HUGE_VAL ? kMinusInfinity : value;
}

}  // namespace

struct LoudnessMeter::State {
  ebur128_state* st = nullptr;
  ~State() { ebur128_destroy(&st); }
};

LoudnessMeter::LoudnessMeter(int channels, int sample_rate, LoudnessModes modes, bool true_peak)
    : channels_(static_cast<unsigned>(channels)),
      sample_rate_(static_cast<unsigned long>(sample_rate)),
      modes_(modes),
      true_peak_(true_peak),
      frames_per_step_(std::max<size_t>(1, static_cast<size_t>(sample_rate) / 10)),
      state_(make_state()),
      max_momentary_(kMinusInfinity),
      max_short_term_(kMinusInfinity) {}

LoudnessMeter::~LoudnessMeter() = default;

std::unique_ptr<LoudnessMeter::State> LoudnessMeter::make_state() const {
  auto state = std::make_unique<State>();
  state->st = ebur128_init(channels_, sample_rate_, ebur128_mode(modes_, true_peak_));
  LC_CHECK(state->st != nullptr);  // only for channels or a rate the spec parser rejects, or no memory
  if (channels_ == 5) {
    // Five channels are 5.0: libebur128's default map would take the fourth for an LFE.
    ebur128_set_channel(state->st, 3, EBUR128_LEFT_SURROUND);
    ebur128_set_channel(state->st, 4, EBUR128_RIGHT_SURROUND);
  }
  return state;
}

void LoudnessMeter::reset() {
  previous_ = std::move(state_);
  previous_frames_left_ = static_cast<size_t>(kShortTermSeconds * static_cast<double>(sample_rate_));
  state_ = make_state();
  frames_since_reset_ = 0;
  max_momentary_ = kMinusInfinity;
  max_short_term_ = kMinusInfinity;
}

LoudnessMeter::State& LoudnessMeter::window_state() const { return previous_ ? *previous_ : *state_; }

double LoudnessMeter::add(std::span<const float> interleaved) {
  size_t frames = interleaved.size() / channels_;
  const float* data = interleaved.data();
  double peak = 0.0;
  while (frames > 0) {
    const size_t piece = std::min(frames, frames_per_step_ - frames_since_step_);
    ebur128_add_frames_float(state_->st, data, piece);
    if (previous_) {
      ebur128_add_frames_float(previous_->st, data, piece);
      previous_frames_left_ -= std::min(previous_frames_left_, piece);
    }
    for (unsigned ch = 0; true_peak_ && ch < channels_; ++ch) {
      double value = 0;
      if (ebur128_prev_true_peak(state_->st, ch, &value) == EBUR128_SUCCESS) peak = std::max(peak, value);
    }
    data += piece * channels_;
    frames -= piece;
    frames_since_reset_ += piece;
    frames_since_step_ += piece;
    if (frames_since_step_ == frames_per_step_) {
      frames_since_step_ = 0;
      // Inside the block; its end is measure()'s.
      if (modes_.maxima && frames > 0) update_maxima_from_state();
    }
    // The old state's windows now hold only audio the new one has too.
    if (previous_ && previous_frames_left_ == 0) previous_.reset();
  }
  return peak;
}

// From the state since the reset: a window reaching back before it must not set a maximum.
void LoudnessMeter::update_maxima_from_state() {
  update_maxima(lufs(ebur128_loudness_momentary, state_->st), lufs(ebur128_loudness_shortterm, state_->st));
}

void LoudnessMeter::update_maxima(double momentary, double short_term) {
  if (!std::isnan(momentary)) max_momentary_ = std::max(max_momentary_, momentary);
  if (!std::isnan(short_term)) max_short_term_ = std::max(max_short_term_, short_term);
}

void LoudnessMeter::measure(std::span<const float> interleaved, Loudness& out) {
  const bool any_frames = interleaved.size() >= channels_;
  const double peak = add(interleaved);
  // Each window is summed once per block (the 3 s one costs most): the readings, and the
  // maxima from the same values unless a reset is under way (then from the new state).
  ebur128_state* window = window_state().st;
  const bool windows = modes_.momentary || modes_.short_term || modes_.maxima;
  const double momentary = windows ? lufs(ebur128_loudness_momentary, window) : kNotMeasured;
  const double short_term =
      modes_.short_term || modes_.maxima ? lufs(ebur128_loudness_shortterm, window) : kNotMeasured;
  if (modes_.maxima) {
    // So that a reading never exceeds its maximum (but right after a reset).
    if (previous_) update_maxima_from_state();
    else update_maxima(momentary, short_term);
  }
  out = Loudness{};
  if (modes_.momentary) out.momentary = momentary;
  if (modes_.short_term) out.short_term = short_term;
  if (modes_.integrated) out.integrated = lufs(ebur128_loudness_global, state_->st);
  if (modes_.range) {
    // libebur128 reads 0 LU before its first 3 s block; say "not yet" instead.
    const bool measurable = static_cast<double>(frames_since_reset_) >= kShortTermSeconds * static_cast<double>(sample_rate_);
    out.range = measurable ? lufs(ebur128_loudness_range, state_->st) : kMinusInfinity;
  }
  if (modes_.maxima) {
    out.max_momentary = max_momentary_;
    out.max_short_term = max_short_term_;
  }
  if (true_peak_) out.true_peak = amplitude_to_db(any_frames ? peak : 0.0);
}

}  // namespace levelcast
