#pragma once
// ChildProcess: one run of `/bin/sh -c COMMAND` in a process group of its own, stdin from
// /dev/null, stdout and stderr into pipes whose read ends this object owns (non-blocking,
// close-on-exec). The child starts with default signal dispositions and an empty signal mask
// whatever the server blocks or ignores, inherits no descriptor but 0, 1 and 2, and is killed
// by the kernel if the server dies first, even by SIGKILL (ChildLauncher, PR_SET_PDEATHSIG).
//
// exit_fd() (a pidfd, Linux >= 5.3) becomes readable when the child exits, for poll(). An exited
// child stays a zombie until reap(), so its process group cannot be reused meanwhile; reap()
// kills whatever the command left in its group, collects the status and closes the pipes.
// terminate() (SIGTERM to the group, SIGKILL after the grace period) ends with reap(). The
// destructor terminates a running child: no zombie is ever left behind.
//
// Threads: one owner thread at a time; not movable.
#include <sys/types.h>

#include <string>

namespace levelcast {

class ChildProcess {
 public:
  static constexpr int kDefaultGraceMs = 1000;

  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `command`. False with `error` when it cannot be started at all (no /bin/sh, out of
  // processes or descriptors). Must not be running.
  bool spawn(const std::string& command, std::string& error);

  bool running() const { return pid_ > 0; }  // spawned and not yet reaped
  pid_t pid() const { return pid_; }
  int stdout_fd() const { return stdout_fd_; }
  int stderr_fd() const { return stderr_fd_; }
  int exit_fd() const { return exit_fd_; }

  // True once the child has exited (non-blocking; leaves it a zombie until reap()).
  bool exited();
  // Waits up to `timeout_ms` for the child to exit; true when it has.
  bool wait_exit(int timeout_ms);
  // SIGTERM to the process group, SIGKILL after `grace_ms` if it is still there, then reap().
  void terminate(int grace_ms = kDefaultGraceMs);
  // The child must have exited: kills what is left of its group, collects its status, closes
  // the pipes. Afterwards running() is false and exit_description() tells how it ended.
  void reap();

  // "exited with status 0", "killed by signal 15", ... for the last reaped run.
  const std::string& exit_description() const { return exit_description_; }
  // The exit status of the last reaped run, or -1 when it was killed by a signal.
  int exit_status() const { return exit_status_; }

 private:
  void close_fds();

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  int exit_fd_ = -1;
  int exit_status_ = -1;
  std::string exit_description_;
};

}  // namespace levelcast
