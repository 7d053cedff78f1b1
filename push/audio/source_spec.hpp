#pragma once
// SourceSpec: one `--source NAME=KIND:ARG[:OPTIONS]` parsed. Plain data.
//
//   NAME     [A-Za-z0-9_-]{1,64}, the topic's name
//   KIND     synth | pcm | wav | exec | lines | alsa: the rows of source_kinds.hpp
//   ARG      synth: none; pcm: a file or "-" (stdin); wav: a file; exec, lines: a shell command;
//            alsa: a device name. ARG may contain ':' (commands, devices).
//   OPTIONS  a last ":key=value,key=value" segment; recognised only when every item is
//            key=value with a known key, otherwise that text belongs to ARG.
//
// Keys: format (s16le, s32le, f32le), rate, channels, loop (wav), restart (exec, lines:
// always|never), loudness (m, s, i, l, x combined: "ms", "msilx"), truepeak (0|1), bands (octave |
// third | N log-spaced bands from 20 Hz to 20 kHz), peakhold (seconds; 0 = off), max_line (lines:
// bytes, cut at a UTF-8 character boundary).
#include <string>
#include <string_view>

#include "push/audio/sample_format.hpp"
#include "push/process/restart_policy.hpp"

namespace levelcast {

enum class SourceKind { synth, pcm, wav, exec, lines, alsa };
enum class BandLayout { off, octave, third, log_spaced };

struct LoudnessModes {
  bool momentary = false;
  bool short_term = false;
  bool integrated = false;
  bool range = false;   // l: loudness range (EBU Tech 3342)
  bool maxima = false;  // x: maximum momentary and short-term loudness
  bool any() const { return momentary || short_term || integrated || range || maxima; }
  // What a reset restarts: integrated, range and maxima.
  bool resettable() const { return integrated || range || maxima; }
};

// What a topic measures beyond per-channel RMS and peak.
struct MeterOptions {
  LoudnessModes loudness;
  bool true_peak = false;
  BandLayout bands = BandLayout::off;
  int band_count = 0;              // for BandLayout::log_spaced
  double peak_hold_seconds = 0.0;  // 0: no peak hold
};

struct SourceSpec {
  std::string name;
  SourceKind kind = SourceKind::synth;
  std::string arg;  // path, command or device; empty for synth
  SampleFormat format = SampleFormat::s16le;
  int sample_rate = 48000;
  int channels = 2;
  bool loop = false;
  RestartPolicy restart = RestartPolicy::always;
  MeterOptions meter;
  size_t max_line = 65536;  // lines: longer lines go out in pieces of at most this many bytes
};

inline constexpr int kMinSampleRate = 8000;
inline constexpr int kMaxSampleRate = 384000;
inline constexpr int kMaxChannels = 64;
inline constexpr int kMaxBandCount = 128;
inline constexpr double kMaxPeakHoldSeconds = 60.0;
inline constexpr int kMinLineLimit = 4;  // max_line: room for the longest UTF-8 character
inline constexpr int kMaxLineLimit = 16 << 20;

// Parses one --source value. On failure returns a default SourceSpec and sets `error` to one
// line naming the source and the reason; on success clears `error`.
SourceSpec parse_source_spec(std::string_view text, std::string& error);

std::string_view kind_name(SourceKind kind);

}  // namespace levelcast
