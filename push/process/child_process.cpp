#include "push/process/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/check.hpp"

extern char** environ;

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

// The server blocks SIGINT/SIGTERM in every thread and ignores SIGPIPE; a child must start with
// neither, or SIGTERM would not stop it and a closed pipe would not end it.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;

  SpawnSetup(int stdout_end, int stderr_end) {
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, stdout_end, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, stderr_end, STDERR_FILENO);
    // Client sockets and other sources' fds must not live on in the command.
    posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, static_cast<short>(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP));
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

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
  pid_t pid = -1;
  int rc = 0;
  {
    SpawnSetup setup(out.write_end, err.write_end);
    const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
    rc = ::posix_spawn(&pid, "/bin/sh", &setup.actions, &setup.attr, const_cast<char* const*>(argv), environ);
  }
  ::close(out.write_end);
  ::close(err.write_end);
  if (rc != 0) {
    ::close(out.read_end);
    ::close(err.read_end);
    error = fmt::format("cannot start /bin/sh: {}", std::strerror(rc));
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
