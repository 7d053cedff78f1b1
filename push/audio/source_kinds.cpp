#include "push/audio/source_kinds.hpp"

#include <array>

#include "core/check.hpp"
#include "push/audio/exec_source.hpp"
#include "push/audio/pcm_source.hpp"
#include "push/audio/synth_source.hpp"
#include "push/audio/wav_source.hpp"
#ifdef LEVELCAST_HAVE_ALSA
#include "push/audio/alsa_source.hpp"
#endif

namespace levelcast {
namespace {

enum : uint32_t {
  kFormat = 1u << 0,
  kRate = 1u << 1,
  kChannels = 1u << 2,
  kLoop = 1u << 3,
  kRestart = 1u << 4,
  kLoudness = 1u << 5,
  kTruePeak = 1u << 6,
  kBands = 1u << 7,
  kPeakHold = 1u << 8,
  kMaxLine = 1u << 9,
  kMeasure = kLoudness | kTruePeak | kBands | kPeakHold,  // every audio kind
};

constexpr std::array<SourceKey, 10> kKeys = {{{"format", kFormat},
                                             {"rate", kRate},
                                             {"channels", kChannels},
                                             {"loop", kLoop},
                                             {"restart", kRestart},
                                             {"loudness", kLoudness},
                                             {"truepeak", kTruePeak},
                                             {"bands", kBands},
                                             {"peakhold", kPeakHold},
                                             {"max_line", kMaxLine}}};

std::unique_ptr<AudioSource> open_synth(const SourceSpec& spec, bool, std::string&) {
  return std::make_unique<SynthSource>(spec.channels, spec.sample_rate);
}

std::unique_ptr<AudioSource> open_pcm(const SourceSpec& spec, bool, std::string& error) {
  return PcmSource::open(spec.arg, spec.format, spec.channels, spec.sample_rate, error);
}

std::unique_ptr<AudioSource> open_wav(const SourceSpec& spec, bool realtime, std::string& error) {
  return WavSource::open(spec.arg, spec.loop, realtime, error);
}

std::unique_ptr<AudioSource> open_exec(const SourceSpec& spec, bool, std::string& error) {
  return ExecSource::open({spec.name, spec.arg, spec.format, spec.channels, spec.sample_rate, spec.restart},
                          error);
}

std::unique_ptr<AudioSource> open_alsa(const SourceSpec& spec, bool, std::string& error) {
#ifdef LEVELCAST_HAVE_ALSA
  return AlsaSource::open(spec.arg, spec.channels, spec.sample_rate, error);
#else
  (void)spec;
  error = "alsa support was not built (install libasound2-dev and rebuild)";
  return nullptr;
#endif
}

std::unique_ptr<CommandStream> open_lines(const SourceSpec& spec, std::string& error) {
  auto stream = CommandStream::open({spec.name, spec.arg, spec.restart}, error);
  if (!stream) error = "lines:" + error;
  return stream;
}

#ifdef LEVELCAST_HAVE_ALSA
constexpr bool kAlsaBuilt = true;
#else
constexpr bool kAlsaBuilt = false;
#endif

// In SourceKind order.
constexpr std::array<SourceKindRow, 6> kKinds = {{
    {SourceKind::synth, "synth", kRate | kChannels | kMeasure, "", true, "", false, true, open_synth, nullptr},
    {SourceKind::pcm, "pcm", kFormat | kRate | kChannels | kMeasure, "a file path or - (stdin)", true, "",
     false, true, open_pcm, nullptr},
    {SourceKind::wav, "wav", kLoop | kMeasure, "a file path", true, " (the file's header gives it)", false,
     true, open_wav, nullptr},
    {SourceKind::exec, "exec", kFormat | kRate | kChannels | kRestart | kMeasure, "a command", false, "",
     false, true, open_exec, nullptr},
    {SourceKind::lines, "lines", kRestart | kMaxLine, "a command", false, "", false, true, nullptr,
     open_lines},
    {SourceKind::alsa, "alsa", kRate | kChannels | kMeasure, "a device name (e.g. default or hw:0)", false,
     "", true, kAlsaBuilt, open_alsa, nullptr},
}};

}  // namespace

std::span<const SourceKey> source_keys() { return kKeys; }

const SourceKey* find_source_key(std::string_view name) {
  for (const SourceKey& key : kKeys)
    if (key.name == name) return &key;
  return nullptr;
}

std::span<const SourceKindRow> source_kinds() { return kKinds; }

const SourceKindRow& source_kind(SourceKind kind) {
  const auto index = static_cast<size_t>(kind);
  LC_CHECK(index < kKinds.size() && kKinds[index].kind == kind);
  return kKinds[index];
}

const SourceKindRow* find_source_kind(std::string_view name) {
  for (const SourceKindRow& row : kKinds)
    if (row.name == name) return &row;
  return nullptr;
}

}  // namespace levelcast
