#include "core/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "core/log_writer.hpp"

namespace levelcast {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every test leaves the log as it found it: stderr, text, info.
class Log : public testing::Test {
 protected:
  void TearDown() override {
    std::string error;
    set_log_file("", error);
    set_log_format(LogFormat::text);
    set_log_level(LogLevel::info);
    flush_log(5000);
  }
};

TEST_F(Log, WritesTextLinesToAFileAndReopensIt) {
  const std::string path = testing::TempDir() + "/levelcast_log_test.log";
  std::remove(path.c_str());
  std::string error;
  ASSERT_TRUE(set_log_file(path, error)) << error;
  LC_LOG(info, "first {}", 1);
  LC_LOG(debug, "not at info");
  log_fields(LogLevel::warn, "with fields", {{"n", "3"}, {"who", "x y", false}});
  ASSERT_TRUE(flush_log(5000));
  const std::string text = read_file(path);
  EXPECT_NE(text.find(" info  first 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" warn  with fields n=3 who=x y\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("not at info"), std::string::npos);

  // logrotate moves the file; opening the path again starts a new one.
  const std::string moved = path + ".1";
  ASSERT_EQ(std::rename(path.c_str(), moved.c_str()), 0);
  ASSERT_TRUE(set_log_file(path, error)) << error;
  LC_LOG(info, "after the move");
  ASSERT_TRUE(flush_log(5000));
  EXPECT_NE(read_file(path).find("after the move"), std::string::npos);
  EXPECT_EQ(read_file(moved).find("after the move"), std::string::npos);
  std::remove(path.c_str());
  std::remove(moved.c_str());
}

TEST_F(Log, JsonLinesAreOneObjectWithEscapedText) {
  const std::string path = testing::TempDir() + "/levelcast_log_json.log";
  std::remove(path.c_str());
  std::string error;
  ASSERT_TRUE(set_log_file(path, error)) << error;
  set_log_format(LogFormat::json);
  log_fields(LogLevel::error, "say \"hi\"\n\tback\\slash\x01", {{"count", "7"}, {"name", "a\"b", false}});
  ASSERT_TRUE(flush_log(5000));
  const std::string text = read_file(path);
  EXPECT_NE(text.find(R"("level":"error","message":"say \"hi\"\n\tback\\slash\u0001","fields":{"count":7,"name":"a\"b"}})"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.rfind("{\"time\":\"", 0), 0u) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  std::remove(path.c_str());
}

TEST_F(Log, ABlockedOutputDropsAndCountsInsteadOfBlocking) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string path = "/proc/self/fd/" + std::to_string(fds[1]);
  std::string error;
  ASSERT_TRUE(set_log_file(path, error)) << error;
  const uint64_t dropped_before = log_lines_dropped();
  // Far more than the pipe (64 KiB) and the queue (256 KiB) hold: every call must return.
  const std::string filler(200, 'x');
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20'000; ++i) LC_LOG(info, "line {} {}", i, filler);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_GT(log_lines_dropped(), dropped_before);
  EXPECT_FALSE(flush_log(50));  // stuck: nobody reads the pipe

  // Reading the pipe lets the writer through, and it says how many lines went missing.
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  std::string seen;
  char buffer[65536];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (seen.find("log lines dropped") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n > 0) {
      seen.append(buffer, static_cast<size_t>(n));
      if (seen.size() > (1 << 20)) seen.erase(0, seen.size() - 4096);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  EXPECT_NE(seen.find("log lines dropped"), std::string::npos);
  set_log_file("", error);
  // Keep draining until the writer has let the pipe go.
  while (!flush_log(10)) {
    if (::read(fds[0], buffer, sizeof buffer) <= 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace levelcast
