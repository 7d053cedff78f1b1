#pragma once
// AlsaSource: captures from an ALSA device ("default", "hw:0", "plughw:CARD=PCH,DEV=0") as
// interleaved float at the asked rate and channel count (ALSA's plug layer converts when the
// hardware cannot). An overrun is logged and recovered; an unrecoverable error ends the source.
// Built only with libasound2-dev (LEVELCAST_HAVE_ALSA).
//
// Threads: read() from the producer thread only; interrupt() from any thread.
#include <poll.h>

#include <memory>
#include <string>
#include <vector>

#include "push/audio/audio_source.hpp"
#include "push/process/interrupt_event.hpp"

struct _snd_pcm;

namespace levelcast {

class AlsaSource final : public AudioSource {
 public:
  static std::unique_ptr<AlsaSource> open(const std::string& device, int channels, int sample_rate,
                                          std::string& error);
  ~AlsaSource() override;

  int channels() const override { return channels_; }
  int sample_rate() const override { return sample_rate_; }
  size_t read(std::span<float> out) override;
  bool paced_by_clock() const override { return false; }
  void interrupt() override { interrupt_.signal(); }
  std::string kind() const override { return "alsa"; }

 private:
  AlsaSource(std::string device, _snd_pcm* pcm, int channels, int sample_rate);
  bool wait_for_audio();  // false when interrupted or broken

  std::string device_;
  _snd_pcm* pcm_;
  int channels_;
  int sample_rate_;
  InterruptEvent interrupt_;
  bool ended_ = false;
  std::vector<pollfd> poll_fds_;  // interrupt first, then ALSA's
};

}  // namespace levelcast
