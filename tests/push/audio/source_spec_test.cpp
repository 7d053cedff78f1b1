#include "push/audio/source_spec.hpp"

#include <gtest/gtest.h>

#include <string>

namespace levelcast {
namespace {

SourceSpec parse_ok(std::string_view text) {
  std::string error = "not cleared";
  SourceSpec spec = parse_source_spec(text, error);
  EXPECT_EQ(error, "") << text;
  return spec;
}

std::string parse_error(std::string_view text) {
  std::string error;
  parse_source_spec(text, error);
  EXPECT_NE(error, "") << text;
  return error;
}

TEST(SourceSpec, SynthWithDefaults) {
  const SourceSpec spec = parse_ok("main=synth");
  EXPECT_EQ(spec.name, "main");
  EXPECT_EQ(spec.kind, SourceKind::synth);
  EXPECT_EQ(spec.arg, "");
  EXPECT_EQ(spec.channels, 2);
  EXPECT_EQ(spec.sample_rate, 48000);
  EXPECT_EQ(spec.format, SampleFormat::s16le);
  EXPECT_FALSE(spec.meter.loudness.any());
  EXPECT_EQ(spec.meter.bands, BandLayout::off);
}

TEST(SourceSpec, SynthWithOptionsAndNoArgument) {
  const SourceSpec spec = parse_ok("a-b_9=synth:channels=1,rate=44100");
  EXPECT_EQ(spec.name, "a-b_9");
  EXPECT_EQ(spec.arg, "");
  EXPECT_EQ(spec.channels, 1);
  EXPECT_EQ(spec.sample_rate, 44100);
}

TEST(SourceSpec, PcmFromStdinWithFormat) {
  const SourceSpec spec = parse_ok("mic=pcm:-:format=f32le,rate=16000,channels=1");
  EXPECT_EQ(spec.kind, SourceKind::pcm);
  EXPECT_EQ(spec.arg, "-");
  EXPECT_EQ(spec.format, SampleFormat::f32le);
  EXPECT_EQ(spec.sample_rate, 16000);
  EXPECT_EQ(spec.channels, 1);
}

TEST(SourceSpec, ExecCommandKeepsItsColons) {
  const SourceSpec spec =
      parse_ok("cam=exec:ffmpeg -i rtsp://cam/stream -f s16le -ac 1 -ar 16000 -:rate=16000,channels=1");
  EXPECT_EQ(spec.kind, SourceKind::exec);
  EXPECT_EQ(spec.arg, "ffmpeg -i rtsp://cam/stream -f s16le -ac 1 -ar 16000 -");
  EXPECT_EQ(spec.sample_rate, 16000);
  EXPECT_EQ(spec.channels, 1);
  EXPECT_EQ(spec.restart, RestartPolicy::always);
}

TEST(SourceSpec, ExecWithoutOptionsKeepsTheWholeCommand) {
  const SourceSpec spec = parse_ok("cam=exec:ffmpeg -i rtsp://cam:554/a -f s16le -");
  EXPECT_EQ(spec.arg, "ffmpeg -i rtsp://cam:554/a -f s16le -");
}

TEST(SourceSpec, LastSegmentWithAnUnknownKeyBelongsToTheCommand) {
  // An ALSA device name looks like options but its keys are not ours.
  EXPECT_EQ(parse_ok("room=alsa:plughw:CARD=PCH,DEV=0").arg, "plughw:CARD=PCH,DEV=0");
  EXPECT_EQ(parse_ok("x=exec:env FOO=bar prog").arg, "env FOO=bar prog");
  EXPECT_EQ(parse_ok("x=exec:prog --opt:a=b").arg, "prog --opt:a=b");
}

TEST(SourceSpec, WavWithMeasurementOptions) {
  const SourceSpec spec = parse_ok("music=wav:/srv/a b.wav:loop=1,loudness=msi,truepeak=1,bands=third,peakhold=1.5");
  EXPECT_EQ(spec.kind, SourceKind::wav);
  EXPECT_EQ(spec.arg, "/srv/a b.wav");
  EXPECT_TRUE(spec.loop);
  EXPECT_TRUE(spec.meter.loudness.momentary);
  EXPECT_TRUE(spec.meter.loudness.short_term);
  EXPECT_TRUE(spec.meter.loudness.integrated);
  EXPECT_TRUE(spec.meter.true_peak);
  EXPECT_EQ(spec.meter.bands, BandLayout::third);
  EXPECT_DOUBLE_EQ(spec.meter.peak_hold_seconds, 1.5);
}

TEST(SourceSpec, LoudnessModesCombine) {
  const SourceSpec spec = parse_ok("a=synth:loudness=s");
  EXPECT_FALSE(spec.meter.loudness.momentary);
  EXPECT_TRUE(spec.meter.loudness.short_term);
  EXPECT_TRUE(parse_ok("a=synth:loudness=im").meter.loudness.integrated);
}

TEST(SourceSpec, BandLayouts) {
  EXPECT_EQ(parse_ok("a=synth:bands=octave").meter.bands, BandLayout::octave);
  const SourceSpec spec = parse_ok("a=synth:bands=24");
  EXPECT_EQ(spec.meter.bands, BandLayout::log_spaced);
  EXPECT_EQ(spec.meter.band_count, 24);
}

TEST(SourceSpec, ExecAndLinesRestart) {
  EXPECT_EQ(parse_ok("a=exec:cat /dev/zero:restart=never").restart, RestartPolicy::never);
  const SourceSpec lines = parse_ok("log=lines:tail -F /var/log/syslog:restart=always");
  EXPECT_EQ(lines.kind, SourceKind::lines);
  EXPECT_EQ(lines.arg, "tail -F /var/log/syslog");
}

TEST(SourceSpec, LoudnessRangeAndMaxima) {
  const LoudnessModes modes = parse_ok("a=synth:loudness=msilx").meter.loudness;
  EXPECT_TRUE(modes.range && modes.maxima && modes.integrated);
  EXPECT_FALSE(parse_ok("a=synth:loudness=ms").meter.loudness.resettable());
  EXPECT_TRUE(parse_ok("a=synth:loudness=x").meter.loudness.resettable());
}

TEST(SourceSpec, LinesMaxLine) {
  EXPECT_EQ(parse_ok("log=lines:cat big.txt").max_line, 65536u);
  EXPECT_EQ(parse_ok("log=lines:cat big.txt:max_line=100000").max_line, 100000u);
  EXPECT_EQ(parse_error("log=lines:cat:max_line=3"), "source 'log': max_line must be bytes from 4 to 16777216");
  EXPECT_EQ(parse_error("a=exec:cat:max_line=100"), "source 'a': max_line does not apply to exec sources");
}

TEST(SourceSpec, ErrorsNameTheSourceAndTheReason) {
  EXPECT_EQ(parse_error("x=mp3:/a.mp3"), "source 'x': unknown kind 'mp3' (synth, pcm, wav, exec, lines or alsa)");
  EXPECT_EQ(parse_error("x=wav"), "source 'x': wav needs a file path");
  EXPECT_EQ(parse_error("x=wav:loop=1"), "source 'x': wav needs a file path");
  EXPECT_EQ(parse_error("x=pcm:"), "source 'x': pcm needs a file path or - (stdin)");
  EXPECT_EQ(parse_error("x=exec:restart=never"), "source 'x': exec needs a command");
  EXPECT_EQ(parse_error("x=synth:rate=1"), "source 'x': rate must be an integer from 8000 to 384000");
  EXPECT_EQ(parse_error("x=synth:channels=0"), "source 'x': channels must be an integer from 1 to 64");
  EXPECT_EQ(parse_error("x=synth:channels=2x"), "source 'x': channels must be an integer from 1 to 64");
  EXPECT_EQ(parse_error("x=pcm:-:format=u8"), "source 'x': format must be s16le, s32le or f32le");
  EXPECT_EQ(parse_error("x=wav:/a.wav:loop=2"), "source 'x': loop must be 0 or 1");
  EXPECT_EQ(parse_error("x=exec:cat:restart=sometimes"), "source 'x': restart must be always or never");
  EXPECT_NE(parse_error("x=synth:loudness=mm").find("loudness must combine m, s, i, l and x"), std::string::npos);
  EXPECT_NE(parse_error("x=synth:loudness=q").find("loudness must"), std::string::npos);
  EXPECT_NE(parse_error("x=synth:bands=0").find("bands must be octave, third"), std::string::npos);
  EXPECT_NE(parse_error("x=synth:bands=fifth").find("bands must be"), std::string::npos);
  EXPECT_NE(parse_error("x=synth:peakhold=-1").find("peakhold must be"), std::string::npos);
  EXPECT_NE(parse_error("x=synth:peakhold=nan").find("peakhold must be"), std::string::npos);
  EXPECT_EQ(parse_error("x=synth:rate=8000,rate=16000"), "source 'x': option rate given twice");
}

TEST(SourceSpec, OptionsThatDoNotApply) {
  EXPECT_EQ(parse_error("x=wav:/a.wav:rate=16000"),
            "source 'x': rate does not apply to wav sources (the file's header gives it)");
  EXPECT_EQ(parse_error("x=pcm:-:loop=1"), "source 'x': loop does not apply to pcm sources");
  EXPECT_EQ(parse_error("x=synth:format=s16le"), "source 'x': format does not apply to synth sources");
  EXPECT_EQ(parse_error("x=lines:cat:bands=octave"), "source 'x': bands does not apply to lines sources");
}

TEST(SourceSpec, BadNames) {
  EXPECT_EQ(parse_error("synth"), "source 'synth': expected NAME=KIND:ARG[:OPTIONS]");
  EXPECT_EQ(parse_error("=synth"), "source '': the name must be 1 to 64 of A-Z a-z 0-9 _ -");
  EXPECT_NE(parse_error("a b=synth").find("the name must be"), std::string::npos);
  EXPECT_NE(parse_error(std::string(65, 'a') + "=synth").find("the name must be"), std::string::npos);
  parse_ok(std::string(64, 'a') + "=synth");
}

TEST(SourceSpec, SynthTakesNoArgumentAndTyposAreNamed) {
  EXPECT_EQ(parse_error("x=synth:foo"), "source 'x': synth takes no argument, got 'foo'");
  EXPECT_NE(parse_error("x=synth:lodness=m").find("unknown option 'lodness'"), std::string::npos);
  EXPECT_NE(parse_error("x=wav:/a.wav:lop=1").find("unknown option 'lop'"), std::string::npos);
}

}  // namespace
}  // namespace levelcast
