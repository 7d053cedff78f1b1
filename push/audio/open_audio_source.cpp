#include "push/audio/open_audio_source.hpp"

#include <fmt/format.h>

#include "push/audio/exec_source.hpp"
#include "push/audio/pcm_source.hpp"
#include "push/audio/synth_source.hpp"
#include "push/audio/wav_source.hpp"
#ifdef LEVELCAST_HAVE_ALSA
#include "push/audio/alsa_source.hpp"
#endif

namespace levelcast {
namespace {

std::unique_ptr<AudioSource> open_alsa(const SourceSpec& spec, std::string& error) {
#ifdef LEVELCAST_HAVE_ALSA
  return AlsaSource::open(spec.arg, spec.channels, spec.sample_rate, error);
#else
  (void)spec;
  error = "alsa support was not built (install libasound2-dev and rebuild)";
  return nullptr;
#endif
}

std::unique_ptr<AudioSource> open_by_kind(const SourceSpec& spec, bool realtime, std::string& error) {
  switch (spec.kind) {
    case SourceKind::synth: return std::make_unique<SynthSource>(spec.channels, spec.sample_rate);
    case SourceKind::pcm: return PcmSource::open(spec.arg, spec.format, spec.channels, spec.sample_rate, error);
    case SourceKind::wav: return WavSource::open(spec.arg, spec.loop, realtime, error);
    case SourceKind::exec:
      return ExecSource::open({spec.name, spec.arg, spec.format, spec.channels, spec.sample_rate, spec.restart}, error);
    case SourceKind::alsa: return open_alsa(spec, error);
    case SourceKind::lines: error = "lines is a text source, not audio"; return nullptr;
  }
  error = "unknown kind";
  return nullptr;
}

}  // namespace

std::unique_ptr<AudioSource> open_audio_source(const SourceSpec& spec, bool realtime, std::string& error) {
  std::string reason;
  auto source = open_by_kind(spec, realtime, reason);
  if (source == nullptr) error = fmt::format("source '{}': {}", spec.name, reason);
  return source;
}

std::string audio_components() {
#ifdef LEVELCAST_HAVE_ALSA
  return "alsa";
#else
  return "";
#endif
}

}  // namespace levelcast
