#pragma once
// LoudnessMeter: EBU R128 / ITU-R BS.1770 loudness of a topic (all channels together) through
// libebur128: momentary (400 ms) and short-term (3 s) loudness in LUFS over the audio up to the
// end of each block, integrated loudness since the start (gated; histogram mode, so memory stays
// fixed however long it runs), and the true peak of the block in dBTP (the largest over the
// channels). Silence reads -infinity. Channels follow libebur128's default map (L, R, C, LFE
// unused, Ls, Rs). Owns its libebur128 state; not thread-safe: one per producer.
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

 private:
  struct State;  // the libebur128 state, whose type cannot be forward-declared
  std::unique_ptr<State> state_;
  unsigned channels_;
  LoudnessModes modes_;
  bool true_peak_;
};

}  // namespace levelcast
