#pragma once
// AudioSource: where a producer's samples come from. Interleaved float samples, full scale 1.0.
// read() is called by one producer thread only; interrupt() may be called from any thread to
// make a blocked read() return soon (at shutdown).
#include <cstddef>
#include <span>
#include <string>

namespace levelcast {

struct CommandStatus;

class AudioSource {
 public:
  virtual ~AudioSource() = default;
  virtual int channels() const = 0;
  virtual int sample_rate() const = 0;
  // Fills `out` (whole frames x channels) and returns the frames written. It may block until
  // audio arrives (a pipe) and may return fewer frames than asked for; 0 means the source has
  // ended (or was interrupted) and read() will not be called again.
  virtual size_t read(std::span<float> out) = 0;
  // True when the producer must pace reads by the clock (synthetic source, a WAV file played in
  // real time); false when the audio itself is the clock (pipes, capture devices, programs).
  virtual bool paced_by_clock() const = 0;
  // Makes a blocked read() return 0 soon. Any thread.
  virtual void interrupt() {}
  // "synth", "pcm", "wav", "exec", "alsa": for /topics.
  virtual std::string kind() const = 0;
  // A command's restarts (exec), or nullptr for a source that is not a command. The object
  // lives as long as the source.
  virtual const CommandStatus* command_status() const { return nullptr; }
};

}  // namespace levelcast
