#include "push/audio/pcm_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "tests/push/audio/test_signals.hpp"

namespace levelcast {
namespace {

void write_all(int fd, const std::string& bytes) {
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
}

// A named pipe in a temp dir, opened by a PcmSource and by the test as writer.
class PcmSourceTest : public ::testing::Test {
 protected:
  std::unique_ptr<PcmSource> open_fifo(SampleFormat format, int channels) {
    const std::string path = dir_.file("pcm.fifo");
    EXPECT_EQ(::mkfifo(path.c_str(), 0600), 0);
    std::string error;
    auto source = PcmSource::open(path, format, channels, 16000, error);
    EXPECT_NE(source, nullptr) << error;
    writer_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    EXPECT_GE(writer_, 0);
    return source;
  }
  void close_writer() {
    if (writer_ >= 0) ::close(writer_);
    writer_ = -1;
  }
  ~PcmSourceTest() override { close_writer(); }

  test::TempDir dir_;
  int writer_ = -1;
};

TEST_F(PcmSourceTest, FramesSplitAcrossWrites) {
  auto source = open_fifo(SampleFormat::s16le, 2);
  ASSERT_NE(source, nullptr);
  EXPECT_FALSE(source->paced_by_clock());
  EXPECT_EQ(source->kind(), "pcm");
  EXPECT_EQ(source->sample_rate(), 16000);
  std::vector<float> out(8);
  // One frame and three bytes of the next: read() returns the whole frame only.
  write_all(writer_, std::string("\x00\x40\x00\xC0" "\x00\x20\x00", 7));
  ASSERT_EQ(source->read(out), 1u);
  EXPECT_FLOAT_EQ(out[0], 0.5f);
  EXPECT_FLOAT_EQ(out[1], -0.5f);
  // The missing byte and one more frame.
  write_all(writer_, std::string("\xE0" "\x00\x10\x00\xF0", 5));
  ASSERT_EQ(source->read(out), 2u);
  EXPECT_FLOAT_EQ(out[0], 0.25f);
  EXPECT_FLOAT_EQ(out[1], -0.25f);
  EXPECT_FLOAT_EQ(out[2], 0.125f);
  EXPECT_FLOAT_EQ(out[3], -0.125f);
  // Half a frame, then the writer goes: the source ends.
  write_all(writer_, std::string("\x00\x10", 2));
  close_writer();
  EXPECT_EQ(source->read(out), 0u);
  EXPECT_EQ(source->read(out), 0u);
}

TEST_F(PcmSourceTest, Float32AndInt32) {
  auto f32 = open_fifo(SampleFormat::f32le, 1);
  ASSERT_NE(f32, nullptr);
  const float values[2] = {0.375f, -0.0625f};
  write_all(writer_, std::string(reinterpret_cast<const char*>(values), sizeof values));
  std::vector<float> out(2);
  ASSERT_EQ(f32->read(out), 2u);
  EXPECT_EQ(out[0], 0.375f);
  EXPECT_EQ(out[1], -0.0625f);
  close_writer();
  ::unlink(dir_.file("pcm.fifo").c_str());
  auto s32 = open_fifo(SampleFormat::s32le, 1);
  ASSERT_NE(s32, nullptr);
  write_all(writer_, std::string("\x00\x00\x00\xC0", 4));
  ASSERT_EQ(s32->read(out), 1u);
  EXPECT_EQ(out[0], -0.5f);
}

TEST_F(PcmSourceTest, InterruptEndsABlockedRead) {
  auto source = open_fifo(SampleFormat::s16le, 2);
  ASSERT_NE(source, nullptr);
  std::vector<float> out(8);
  auto reading = std::async(std::launch::async, [&] { return source->read(out); });
  // Nothing can end the read but the interrupt: it is still blocked after a while.
  EXPECT_EQ(reading.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  source->interrupt();
  ASSERT_EQ(reading.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(reading.get(), 0u);
}

TEST_F(PcmSourceTest, RegularFileAndMissingFile) {
  const std::string path = dir_.file("a.raw");
  {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    write_all(fd, std::string("\x00\x40\x00\xC0", 4));
    ::close(fd);
  }
  std::string error;
  auto source = PcmSource::open(path, SampleFormat::s16le, 1, 48000, error);
  ASSERT_NE(source, nullptr) << error;
  std::vector<float> out(4);
  EXPECT_EQ(source->read(out), 2u);
  EXPECT_EQ(source->read(out), 0u);
  EXPECT_EQ(PcmSource::open(dir_.file("none.raw"), SampleFormat::s16le, 1, 48000, error), nullptr);
  EXPECT_EQ(error, "pcm:" + dir_.file("none.raw") + ": No such file or directory");
}

}  // namespace
}  // namespace levelcast
