#include "push/audio/open_audio_source.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace levelcast {
namespace {

SourceSpec spec_of(const std::string& text) {
  std::string error;
  SourceSpec spec = parse_source_spec(text, error);
  EXPECT_EQ(error, "");
  return spec;
}

TEST(OpenAudioSource, Synth) {
  std::string error;
  auto source = open_audio_source(spec_of("s=synth:channels=3,rate=44100"), true, error);
  ASSERT_NE(source, nullptr) << error;
  EXPECT_EQ(source->kind(), "synth");
  EXPECT_EQ(source->channels(), 3);
  EXPECT_EQ(source->sample_rate(), 44100);
  std::vector<float> block(300);
  EXPECT_EQ(source->read(block), 100u);
}

TEST(OpenAudioSource, ExecStartsTheCommand) {
  std::string error;
  auto source = open_audio_source(spec_of("e=exec:head -c 8 /dev/zero:restart=never"), true, error);
  ASSERT_NE(source, nullptr) << error;
  EXPECT_EQ(source->kind(), "exec");
  std::vector<float> block(8);
  EXPECT_EQ(source->read(block), 2u);  // 8 bytes: two stereo s16 frames
}

TEST(OpenAudioSource, ErrorsNameTheSource) {
  std::string error;
  EXPECT_EQ(open_audio_source(spec_of("w=wav:/nonexistent/a.wav"), true, error), nullptr);
  EXPECT_EQ(error, "source 'w': wav:/nonexistent/a.wav: No such file or directory");
  EXPECT_EQ(open_audio_source(spec_of("p=pcm:/nonexistent/a.raw"), true, error), nullptr);
  EXPECT_EQ(error, "source 'p': pcm:/nonexistent/a.raw: No such file or directory");
  EXPECT_EQ(open_audio_source(spec_of("l=lines:tail -F /var/log/x"), true, error), nullptr);
  EXPECT_EQ(error, "source 'l': lines is a text source, not audio");
}

TEST(OpenAudioSource, AlsaIsOptional) {
  std::string error;
  const auto source = open_audio_source(spec_of("mic=alsa:levelcast_no_such_device"), true, error);
  EXPECT_EQ(source, nullptr);
  if (audio_components().find("alsa") == std::string::npos) {
    EXPECT_EQ(error, "source 'mic': alsa support was not built (install libasound2-dev and rebuild)");
  } else {
    EXPECT_EQ(error.rfind("source 'mic': alsa:levelcast_no_such_device: ", 0), 0u) << error;
  }
}

}  // namespace
}  // namespace levelcast
