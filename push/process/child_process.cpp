#include "push/process/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/check.hpp"
#include "push/process/child_launcher.hpp"

namespace levelcast {
namespace {

// A pipe whose read end is ours (non-blocking) and whose write end goes to the child.
struct Pipe {
  int read_end = -1;
  int write_end = -1;
};

bool open_pipe(Pipe& p, std::string& error) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    error = fmt::format("pipe: {}", std::strerror(errno));
    return false;
  }
  p = {fds[0], fds[1]};
  ::fcntl(p.read_end, F_SETFL, O_NONBLOCK);
  return true;
}

void close_if_open(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
  return fmt::format("ended with wait status {}", status);
}

}  // namespace

ChildProcess::~ChildProcess() {
  if (running()) terminate();
}

bool ChildProcess::spawn(const std::string& command, std::string& error) {
  LC_CHECK(!running());
  Pipe out;
  Pipe err;
  if (!open_pipe(out, error)) return false;
  if (!open_pipe(err, error)) {
    ::close(out.read_end);
    ::close(out.write_end);
    return false;
  }
  const pid_t pid = launch_child({&command, out.write_end, err.write_end});
  ::close(out.write_end);
  ::close(err.write_end);
  if (pid < 0) {
    ::close(out.read_end);
    ::close(err.read_end);
    error = fmt::format("cannot start /bin/sh: {}", std::strerror(-pid));
    return false;
  }
  pid_ = pid;
  stdout_fd_ = out.read_end;
  stderr_fd_ = err.read_end;
  exit_fd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (exit_fd_ < 0) {
    error = fmt::format("pidfd_open: {} (Linux 5.3 or later is needed)", std::strerror(errno));
    ::kill(-pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    close_fds();
    return false;
  }
  ::fcntl(exit_fd_, F_SETFD, FD_CLOEXEC);
  return true;
}

bool ChildProcess::exited() {
  if (!running()) return true;
  siginfo_t info{};
  // WNOWAIT: look, but leave the zombie, so the pid and process group stay ours until reap().
  const int rc = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
  return rc == 0 && info.si_pid == pid_;
}

bool ChildProcess::wait_exit(int timeout_ms) {
  if (!running()) return true;
  pollfd p{exit_fd_, POLLIN, 0};
  while (true) {
    const int n = ::poll(&p, 1, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    return n > 0 || exited();
  }
}

void ChildProcess::terminate(int grace_ms) {
  if (!running()) return;
  if (!exited()) {
    ::kill(-pid_, SIGTERM);
    if (!wait_exit(grace_ms)) {
      ::kill(-pid_, SIGKILL);
      // SIGKILL cannot be caught; the wait below ends as soon as the kernel has torn it down.
      wait_exit(-1);
    }
  }
  reap();
}

void ChildProcess::reap() {
  if (!running()) return;
  LC_CHECK(exited());
  // The leader is a zombie, so -pid_ still names only the command's own group.
  ::kill(-pid_, SIGKILL);
  int status = 0;
  pid_t rc = -1;
  do {
    rc = ::waitpid(pid_, &status, 0);
  } while (rc < 0 && errno == EINTR);
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  exit_description_ = rc == pid_ ? describe_status(status) : fmt::format("lost: {}", std::strerror(errno));
  pid_ = -1;
  close_fds();
}

void ChildProcess::close_fds() {
  close_if_open(stdout_fd_);
  close_if_open(stderr_fd_);
  close_if_open(exit_fd_);
}

}  // namespace levelcast
