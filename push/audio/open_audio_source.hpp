#pragma once
// open_audio_source: the AudioSource a SourceSpec asks for (synth, pcm, wav, exec, alsa), and
// what optional kinds this build has. Start-up only (it may spawn a process or open a device).
#include <memory>
#include <string>

#include "push/audio/audio_source.hpp"
#include "push/audio/source_spec.hpp"

namespace levelcast {

// nullptr with a one-line `error` naming the source ("source 'x': wav:/a.wav: not a RIFF/WAVE
// file") when it cannot be opened. `realtime` paces WAV files by the clock (false for
// --no-realtime). A lines spec is a text source, not audio: an error here.
std::unique_ptr<AudioSource> open_audio_source(const SourceSpec& spec, bool realtime, std::string& error);

// The optional source kinds compiled in, space-separated, for --version: "alsa" or "".
std::string audio_components();

}  // namespace levelcast
