#include "push/audio/exec_source.hpp"
#include "core/log.hpp"

#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <future>
#include <string>
#include <vector>

namespace levelcast {
namespace {

std::unique_ptr<ExecSource> start(const std::string& command, RestartPolicy restart, int channels = 1) {
  std::string error;
  auto source = ExecSource::open({"test", command, SampleFormat::s16le, channels, 16000, restart}, error);
  EXPECT_NE(source, nullptr) << error;
  return source;
}

// Everything the source yields until it ends, in reads of up to `frames` frames.
std::vector<float> read_all(AudioSource& source, size_t frames, int max_reads = 100'000) {
  std::vector<float> all;
  std::vector<float> block(frames * static_cast<size_t>(source.channels()));
  for (int i = 0; i < max_reads; ++i) {
    const size_t got = source.read(block);
    if (got == 0) return all;
    all.insert(all.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(got * source.channels()));
  }
  ADD_FAILURE() << "the source did not end";
  return all;
}

bool reaped(pid_t pid) { return ::waitpid(pid, nullptr, WNOHANG) == -1 && errno == ECHILD; }

TEST(ExecSource, ReadsKnownPcmAndEndsWithRestartNever) {
  testing::internal::CaptureStderr();
  auto source = start(R"(echo "hello from stderr" >&2; printf '\000\100\000\300\000\040')", RestartPolicy::never);
  ASSERT_NE(source, nullptr);
  EXPECT_FALSE(source->paced_by_clock());
  EXPECT_EQ(source->kind(), "exec");
  const pid_t pid = source->child_pid();
  EXPECT_EQ(read_all(*source, 64), (std::vector<float>{0.5f, -0.5f, 0.25f}));
  std::vector<float> block(4);
  EXPECT_EQ(source->read(block), 0u);  // stays ended
  EXPECT_TRUE(reaped(pid));
  ASSERT_TRUE(flush_log(5000));  // the log is written by its own thread
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("source test: hello from stderr"), std::string::npos) << log;
  EXPECT_NE(log.find("source test: command exited with status 0"), std::string::npos) << log;
}

TEST(ExecSource, ManyFramesInSmallReads) {
  auto source = start("head -c 96000 /dev/zero", RestartPolicy::never, 2);
  ASSERT_NE(source, nullptr);
  const std::vector<float> all = read_all(*source, 960);
  EXPECT_EQ(all.size(), 48000u);  // 96000 bytes = 24000 stereo s16 frames
  EXPECT_EQ(std::count(all.begin(), all.end(), 0.0f), 48000);
}

TEST(ExecSource, FrameSplitAcrossWrites) {
  auto source = start(R"(printf '\000'; sleep 0.1; printf '\100')", RestartPolicy::never);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(read_all(*source, 16), (std::vector<float>{0.5f}));
}

TEST(ExecSource, RestartsAfterTheCommandEnds) {
  auto source = start(R"(printf '\000\100')", RestartPolicy::always);
  ASSERT_NE(source, nullptr);
  std::vector<float> block(16);
  const pid_t first = source->child_pid();
  ASSERT_EQ(source->read(block), 1u);
  EXPECT_EQ(block[0], 0.5f);
  ASSERT_EQ(source->read(block), 1u);  // after the first exit and a 0.5 s pause
  EXPECT_EQ(block[0], 0.5f);
  EXPECT_NE(source->child_pid(), first);
  EXPECT_TRUE(reaped(first));
}

TEST(ExecSource, InterruptEndsAStalledCommandAndReapsIt) {
  auto source = start("sleep 100", RestartPolicy::always);
  ASSERT_NE(source, nullptr);
  const pid_t pid = source->child_pid();
  std::vector<float> block(16);
  auto reading = std::async(std::launch::async, [&] { return source->read(block); });
  // Nothing can end the read but the interrupt: it is still blocked after a while.
  EXPECT_EQ(reading.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  source->interrupt();
  ASSERT_EQ(reading.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(reading.get(), 0u);
  EXPECT_TRUE(reaped(pid));
  EXPECT_EQ(source->read(block), 0u);
}

TEST(ExecSource, DestructionReapsTheChild) {
  pid_t pid = -1;
  {
    auto source = start("sleep 100", RestartPolicy::always);
    ASSERT_NE(source, nullptr);
    pid = source->child_pid();
  }
  EXPECT_TRUE(reaped(pid));
}

TEST(ExecSource, CommandThatClosesStdoutButStaysIsStopped) {
  auto source = start("exec >&-; sleep 100", RestartPolicy::never);
  ASSERT_NE(source, nullptr);
  const pid_t pid = source->child_pid();
  std::vector<float> block(16);
  EXPECT_EQ(source->read(block), 0u);  // after the 1 s grace, SIGTERM
  EXPECT_TRUE(reaped(pid));
}

}  // namespace
}  // namespace levelcast
