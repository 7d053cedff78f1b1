#include "push/process/child_launcher.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

extern char** environ;

namespace levelcast {
namespace {

// The shell around every command. The kernel signals only the direct child when the server
// dies, and the command's own children (a pipeline, a `sh -c` that forks) would live on; so
// the direct child is this shell, told SIGUSR1 on the server's death, which then kills the
// whole process group. The command runs in the background so that the trap runs at once; the
// shell waits for it through the signals that stop it (which reach the whole group) and ends
// the way it ended, so its exit status is the command's. It lets go of stdout and stderr, so
// the end of file the reader sees is the command's.
constexpr const char* kGroupGuard =
    "trap 'kill -KILL 0' USR1\n"
    "eval \"$1\" &\n"
    "c=$!\n"
    // Only now: a command started while these were caught here could lose a signal sent to
    // the group in the instant before its shell reset them.
    "trap : TERM INT HUP\n"
    "exec >/dev/null 2>&1\n"
    "while wait $c; s=$?; kill -0 $c 2>/dev/null; do :; done\n"
    "if [ $s -gt 128 ]; then trap - TERM INT HUP; kill -$((s - 128)) $$; fi\n"
    "exit $s\n";

// In the forked child: system calls only (another thread of the parent may have held any lock
// at the moment of the fork). Never returns.
[[noreturn]] void exec_in_child(const LaunchRequest& r, const char* const* argv, pid_t parent) {
  if (::prctl(PR_SET_PDEATHSIG, SIGUSR1) != 0 || ::getppid() != parent) ::_exit(127);
  ::setpgid(0, 0);
  const int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd < 0 || ::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(r.stdout_fd, STDOUT_FILENO) < 0 ||
      ::dup2(r.stderr_fd, STDERR_FILENO) < 0) {
    ::_exit(127);
  }
  // Client sockets and other sources' pipes must not live on in the command.
  ::syscall(SYS_close_range, STDERR_FILENO + 1, ~0U, 0);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s) ::sigaction(s, &default_action, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve("/bin/sh", const_cast<char* const*>(argv), environ);
  ::_exit(127);
}

class ChildLauncher {
 public:
  static ChildLauncher& instance() {
    static ChildLauncher* const launcher = new ChildLauncher();  // leaked: see the header
    return *launcher;
  }

  pid_t launch(const LaunchRequest& request) {
    std::lock_guard turn(turn_);  // one request at a time through the mailbox
    std::unique_lock lock(mutex_);
    request_ = &request;
    wake_.notify_one();
    done_.wait(lock, [this] { return request_ == nullptr; });
    return result_;
  }

 private:
  ChildLauncher() {
    // The thread must not take signals meant for main(), whatever the caller's mask.
    sigset_t all;
    sigfillset(&all);
    sigset_t old;
    pthread_sigmask(SIG_BLOCK, &all, &old);
    std::thread([this] { run(); }).detach();
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }

  void run() {
    const pid_t self = ::getpid();
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return request_ != nullptr; });
      const LaunchRequest& r = *request_;
      const char* argv[] = {"/bin/sh", "-c", kGroupGuard, "levelcast-source", r.command->c_str(), nullptr};
      const pid_t pid = ::fork();
      if (pid == 0) exec_in_child(r, argv, self);
      if (pid > 0) ::setpgid(pid, pid);  // also here, so a kill(-pid) right after cannot miss
      result_ = pid > 0 ? pid : -errno;
      request_ = nullptr;
      done_.notify_all();
    }
  }

  std::mutex turn_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const LaunchRequest* request_ = nullptr;
  pid_t result_ = -1;
};

}  // namespace

pid_t launch_child(const LaunchRequest& request) { return ChildLauncher::instance().launch(request); }

}  // namespace levelcast
