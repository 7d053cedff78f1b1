#include "push/audio/wav_source.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "tests/push/audio/test_signals.hpp"

namespace levelcast {
namespace {

constexpr uint16_t kPcm = 1;
constexpr uint16_t kFloat = 3;

struct WavFormat {
  uint16_t tag = kPcm;
  uint16_t bits = 16;
  uint16_t channels = 2;
  uint32_t rate = 44100;
  bool extensible = false;
  bool extra_chunks = false;  // a LIST chunk of odd size before fmt, and a fact chunk before data
};

void put(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

void put_sample(std::string& out, const WavFormat& f, double v) {
  if (f.tag == kFloat) {
    const auto x = static_cast<float>(v);
    uint32_t bits = 0;
    std::memcpy(&bits, &x, 4);
    put(out, bits, 4);
    return;
  }
  const double scale = std::ldexp(1.0, f.bits - 1);
  const auto q = static_cast<int64_t>(std::llround(std::clamp(v * scale, -scale, scale - 1)));
  put(out, static_cast<uint64_t>(q), f.bits / 8);
}

// A complete RIFF/WAVE file holding `samples` (interleaved, full scale 1.0).
std::string wav_file(const WavFormat& f, const std::vector<double>& samples) {
  std::string fmt;
  put(fmt, f.extensible ? 0xFFFE : f.tag, 2);
  put(fmt, f.channels, 2);
  put(fmt, f.rate, 4);
  put(fmt, uint64_t{f.rate} * f.channels * f.bits / 8, 4);
  put(fmt, f.channels * f.bits / 8, 2);
  put(fmt, f.bits, 2);
  if (f.extensible) {
    put(fmt, 22, 2);
    put(fmt, f.bits, 2);  // valid bits
    put(fmt, 0x3, 4);     // channel mask
    put(fmt, f.tag, 2);
    fmt.append("\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 14);
  }
  std::string data;
  for (const double v : samples) put_sample(data, f, v);
  std::string body = "WAVE";
  if (f.extra_chunks) body += std::string("LIST") + std::string("\x03\x00\x00\x00" "abc\x00", 8);
  body += "fmt ";
  put(body, fmt.size(), 4);
  body += fmt;
  if (f.extra_chunks) body += std::string("fact") + std::string("\x04\x00\x00\x00\x00\x00\x00\x00", 8);
  body += "data";
  put(body, data.size(), 4);
  body += data;
  std::string file = "RIFF";
  put(file, body.size(), 4);
  return file + body;
}

class WavSourceTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& bytes) {
    const std::string path = dir_.file(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::string open_error(const std::string& bytes) {
    std::string error;
    EXPECT_EQ(WavSource::open(write("bad.wav", bytes), false, true, error), nullptr);
    return error;
  }
  test::TempDir dir_;
};

const std::vector<double> kSamples = {0.5, -0.5, 0.25, -0.25, 0.0, 0.75, -1.0, 0.125};

TEST_F(WavSourceTest, ReadsEverySupportedFormat) {
  const WavFormat formats[] = {
      {kPcm, 16, 2, 44100, false, false}, {kPcm, 24, 2, 48000, false, true}, {kPcm, 32, 2, 96000, false, false},
      {kFloat, 32, 2, 48000, false, false}, {kPcm, 16, 2, 48000, true, false}, {kPcm, 24, 2, 48000, true, true},
      {kPcm, 32, 2, 48000, true, false}, {kFloat, 32, 2, 48000, true, false},
  };
  for (const WavFormat& f : formats) {
    SCOPED_TRACE(::testing::Message() << "tag " << f.tag << " bits " << f.bits << " extensible " << f.extensible);
    std::string error;
    const auto source = WavSource::open(write("a.wav", wav_file(f, kSamples)), false, true, error);
    ASSERT_NE(source, nullptr) << error;
    EXPECT_EQ(source->channels(), 2);
    EXPECT_EQ(source->sample_rate(), static_cast<int>(f.rate));
    EXPECT_TRUE(source->paced_by_clock());
    EXPECT_EQ(source->kind(), "wav");
    std::vector<float> out(20);
    ASSERT_EQ(source->read(out), 4u);
    for (size_t i = 0; i < kSamples.size(); ++i) EXPECT_NEAR(out[i], kSamples[i], 1e-4) << i;
    EXPECT_EQ(source->read(out), 0u);
  }
}

TEST_F(WavSourceTest, LoopStartsAgainFromTheFirstFrame) {
  const WavFormat mono{kPcm, 16, 1, 8000, false, false};
  std::string error;
  const auto source = WavSource::open(write("loop.wav", wav_file(mono, {0.5, -0.5, 0.25})), true, false, error);
  ASSERT_NE(source, nullptr) << error;
  EXPECT_FALSE(source->paced_by_clock());  // --no-realtime
  std::vector<float> out(8);
  ASSERT_EQ(source->read(out), 8u);
  EXPECT_EQ(out, (std::vector<float>{0.5f, -0.5f, 0.25f, 0.5f, -0.5f, 0.25f, 0.5f, -0.5f}));
  ASSERT_EQ(source->read(out), 8u);
  EXPECT_EQ(out[0], 0.25f);
}

TEST_F(WavSourceTest, ReadsInPiecesThenEnds) {
  const WavFormat mono{kPcm, 16, 1, 8000, false, false};
  std::string error;
  const auto source = WavSource::open(write("a.wav", wav_file(mono, {0.5, -0.5, 0.25})), false, true, error);
  ASSERT_NE(source, nullptr) << error;
  std::vector<float> out(2);
  EXPECT_EQ(source->read(out), 2u);
  EXPECT_EQ(source->read(out), 1u);
  EXPECT_EQ(out[0], 0.25f);
  EXPECT_EQ(source->read(out), 0u);
}

TEST_F(WavSourceTest, TruncatedFile) {
  const std::string whole = wav_file({}, std::vector<double>(100, 0.1));
  const std::string path = write("cut.wav", whole.substr(0, whole.size() - 10));
  std::string error;
  EXPECT_EQ(WavSource::open(path, false, true, error), nullptr);
  EXPECT_EQ(error, "wav:" + path + ": data chunk truncated");
  EXPECT_NE(open_error(whole.substr(0, 30)).find("fmt chunk truncated"), std::string::npos);
  EXPECT_NE(open_error(whole.substr(0, 44 - 8)).find("no data chunk"), std::string::npos);
}

// How ffmpeg and other streaming writers mark a data chunk whose size they could not write.
TEST_F(WavSourceTest, DataSizeAllOnesMeansUntilTheEnd) {
  const WavFormat mono{kPcm, 16, 1, 8000, false, false};
  std::string file = wav_file(mono, {0.5, -0.5, 0.25});
  file.replace(file.size() - 6 - 4, 4, "\xFF\xFF\xFF\xFF");  // the data chunk's size
  file.replace(4, 4, "\xFF\xFF\xFF\xFF");                    // and RIFF's
  file.push_back('\x01');                                     // half a frame, left out
  std::string error;
  const auto source = WavSource::open(write("stream.wav", file), false, false, error);
  ASSERT_NE(source, nullptr) << error;
  std::vector<float> out(8);
  ASSERT_EQ(source->read(out), 3u);
  EXPECT_EQ(out[2], 0.25f);
  EXPECT_EQ(source->read(out), 0u);
}

TEST_F(WavSourceTest, WrongHeaders) {
  EXPECT_NE(open_error("hello, this is not audio at all").find(": not a RIFF/WAVE file"), std::string::npos);
  EXPECT_NE(open_error("RIFF").find("not a RIFF/WAVE file"), std::string::npos);
  std::string avi = wav_file({}, {0.0, 0.0});
  avi.replace(8, 4, "AVI ");
  EXPECT_NE(open_error(avi).find("not a RIFF/WAVE file"), std::string::npos);
  std::string error;
  EXPECT_EQ(WavSource::open(dir_.file("missing.wav"), false, true, error), nullptr);
  EXPECT_NE(error.find("No such file or directory"), std::string::npos);
  EXPECT_EQ(WavSource::open(dir_.path(), false, true, error), nullptr);
  EXPECT_NE(error.find("not a regular file"), std::string::npos);
}

TEST_F(WavSourceTest, UnsupportedFormats) {
  EXPECT_NE(open_error(wav_file({kPcm, 8, 1, 8000, false, false}, {})).find("8-bit PCM is not supported"),
            std::string::npos);
  EXPECT_NE(open_error(wav_file({kFloat, 64, 1, 8000, false, false}, {})).find("64-bit float is not supported"),
            std::string::npos);
  EXPECT_NE(open_error(wav_file({2, 16, 1, 8000, false, false}, {})).find("format tag 0x2 is not supported"),
            std::string::npos);
  EXPECT_NE(open_error(wav_file({kPcm, 16, 1, 1000, false, false}, {})).find("sample rate 1000 is not supported"),
            std::string::npos);
}

}  // namespace
}  // namespace levelcast
