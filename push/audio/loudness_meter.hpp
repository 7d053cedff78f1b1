#pragma once
// LoudnessMeter: EBU R128 / ITU-R BS.1770 loudness of a topic (all channels together) through
// libebur128: momentary (400 ms) and short-term (3 s) loudness in LUFS over the audio up to the
// end of each block; integrated loudness (gated) and loudness range (EBU Tech 3342, LU) since the
// start or the last reset, both in histogram mode so memory stays fixed however long it runs;
// the maximum momentary and short-term loudness since the start or the last reset, taken at
// least every 100 ms of audio whatever the snapshot rate; and the true peak of the block in
// dBTP (the largest over the channels). Silence, and what is not measurable yet, reads
// -infinity. Channels follow libebur128's map (L, R, C, LFE unused, Ls, Rs), except that 5
// channels are 5.0 (L, R, C, Ls, Rs).
//
// reset() restarts integrated, range and maxima. It starts a new libebur128 state (one
// allocation per reset, never per block) and keeps feeding the old one for the 3 s short-term
// window, from which momentary and short-term loudness are read meanwhile, so they carry on
// across a reset without a dip. The maxima count only audio since the reset.
//
// Owns its libebur128 states; not thread-safe: one per producer.
#include <cstddef>
#include <memory>
#include <span>

#include "push/audio/source_spec.hpp"
#include "push/snapshot.hpp"

namespace levelcast {

class LoudnessMeter {
 public:
  LoudnessMeter(int channels, int sample_rate, LoudnessModes modes, bool true_peak);
  ~LoudnessMeter();
  LoudnessMeter(const LoudnessMeter&) = delete;
  LoudnessMeter& operator=(const LoudnessMeter&) = delete;

  // Adds the block and sets the asked-for fields of `out`; the others become kNotMeasured.
  void measure(std::span<const float> interleaved, Loudness& out);
  // Integrated loudness, range and maxima start again with the next block.
  void reset();

 private:
  struct State;  // a libebur128 state, whose type cannot be forward-declared
  std::unique_ptr<State> make_state() const;
  // Feeds the block in pieces ending on the 100 ms grid; returns the block's true peak.
  double add(std::span<const float> interleaved);
  void update_maxima(double momentary, double short_term);
  void update_maxima_from_state();
  State& window_state() const;  // where momentary and short-term are read

  unsigned channels_;
  unsigned long sample_rate_;
  LoudnessModes modes_;
  bool true_peak_;
  size_t frames_per_step_;        // 100 ms
  size_t frames_since_step_ = 0;  // position on the 100 ms grid
  size_t frames_since_reset_ = 0;
  std::unique_ptr<State> state_;     // everything since the start or the last reset
  std::unique_ptr<State> previous_;  // the state before the last reset, for the windows
  size_t previous_frames_left_ = 0;
  double max_momentary_;
  double max_short_term_;
};

}  // namespace levelcast
