#include "push/process/child_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace levelcast {
namespace {

// Reads `fd` (non-blocking) until end of file or until `until` has arrived, waiting in poll()
// with a deadline per wait.
std::string read_to_end(int fd, std::string_view until = {}) {
  std::string out;
  char buffer[256];
  for (int waits = 0; waits < 100;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
      if (!until.empty() && out.find(until) != std::string::npos) return out;
    } else if (n == 0) {
      return out;
    } else if (errno == EAGAIN) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 10'000) == 0) break;
      ++waits;
    } else if (errno != EINTR) {
      break;
    }
  }
  ADD_FAILURE() << "no end of file";
  return out;
}

bool reaped(pid_t pid) { return ::waitpid(pid, nullptr, WNOHANG) == -1 && errno == ECHILD; }

// Whether `pid` has a handler for `sig` (SigCgt in /proc/PID/status).
bool catches(pid_t pid, int sig) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("SigCgt:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> (sig - 1)) & 1;
  }
  return false;
}

TEST(ChildProcess, RunsTheCommandWithPipes) {
  ChildProcess child;
  std::string error;
  ASSERT_TRUE(child.spawn("printf out; printf err >&2; read line; exit 3", error)) << error;
  const pid_t pid = child.pid();
  EXPECT_EQ(::getpgid(pid), pid);  // a process group of its own
  EXPECT_EQ(read_to_end(child.stdout_fd()), "out");
  EXPECT_EQ(read_to_end(child.stderr_fd()), "err");
  ASSERT_TRUE(child.wait_exit(10'000));
  EXPECT_TRUE(child.exited());
  child.reap();
  EXPECT_FALSE(child.running());
  EXPECT_EQ(child.exit_status(), 3);  // `read` got end of file from /dev/null
  EXPECT_EQ(child.exit_description(), "exited with status 3");
  EXPECT_TRUE(reaped(pid));
}

// PR_SET_PDEATHSIG fires when the thread that forked ends: a command started from a thread
// that has since ended must keep running (the fork happens on ChildLauncher's thread).
TEST(ChildProcess, OutlivesTheThreadThatStartedIt) {
  ChildProcess child;
  std::string error;
  bool spawned = false;
  std::thread([&] { spawned = child.spawn("sleep 30", error); }).join();
  ASSERT_TRUE(spawned) << error;
  EXPECT_FALSE(child.wait_exit(300));  // a SIGKILL from the kernel would have ended it by now
  EXPECT_FALSE(child.exited());
  child.terminate();
  EXPECT_EQ(child.exit_description(), "killed by signal 15");
}

TEST(ChildProcess, TerminateStopsAndReapsEvenWithSignalsBlockedHere) {
  // The server blocks SIGTERM in its threads; the child must not inherit that.
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigset_t old;
  pthread_sigmask(SIG_BLOCK, &term, &old);
  ChildProcess child;
  std::string error;
  const bool spawned = child.spawn("sleep 100", error);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ASSERT_TRUE(spawned) << error;
  const pid_t pid = child.pid();
  EXPECT_FALSE(child.exited());
  child.terminate();
  EXPECT_FALSE(child.running());
  EXPECT_EQ(child.exit_description(), "killed by signal 15");
  EXPECT_TRUE(reaped(pid));
}

TEST(ChildProcess, SigkillAfterTheGracePeriod) {
  ChildProcess child;
  std::string error;
  ASSERT_TRUE(child.spawn("trap '' TERM; echo ready; sleep 100", error)) << error;
  const pid_t pid = child.pid();
  EXPECT_EQ(read_to_end(child.stdout_fd(), "ready\n"), "ready\n");  // the trap is in place
  // ChildLauncher's guard shell takes SIGTERM for itself only once the command has started.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!catches(pid, SIGTERM) && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_TRUE(catches(pid, SIGTERM));
  child.terminate(100);
  EXPECT_EQ(child.exit_description(), "killed by signal 9");
  EXPECT_TRUE(reaped(pid));
}

TEST(ChildProcess, DestructorLeavesNoZombie) {
  pid_t pid = -1;
  {
    ChildProcess child;
    std::string error;
    ASSERT_TRUE(child.spawn("sleep 100", error)) << error;
    pid = child.pid();
  }
  EXPECT_TRUE(reaped(pid));
}

}  // namespace
}  // namespace levelcast
