#pragma once
// ChildLauncher: the one thread that forks every command (exec: and lines: sources), so that
// children die with the server. A child asks the kernel for a signal when its parent goes
// (PR_SET_PDEATHSIG), even when the server is killed with -9, and then kills its process group
// (the command and everything it started); but Linux sends that signal when
// the *thread* that forked it ends, not the process. Forking from a producer thread would kill
// a command whenever that thread ended; forking from this thread, which lives as long as the
// process, ties the children to the process itself.
//
// The forked child runs only async-signal-safe system calls before exec: new process group,
// stdin from /dev/null, stdout and stderr to the given pipe ends, every other descriptor
// closed, default signal dispositions, empty signal mask, then /bin/sh running COMMAND under a
// small guard (child_launcher.cpp) that ends as the command ends (status, or signal).
//
// Threads: launch() from any thread (callers take turns); the launcher thread is started on
// first use and, like the log writer, never joined and never destroyed.
#include <sys/types.h>

#include <string>

namespace levelcast {

struct LaunchRequest {
  const std::string* command = nullptr;
  int stdout_fd = -1;  // the pipes' write ends, for the child's 1 and 2
  int stderr_fd = -1;
};

// Forks and execs `/bin/sh -c COMMAND`; the child's pid, or -errno when fork failed. An exec
// that fails shows as the child exiting with status 127.
pid_t launch_child(const LaunchRequest& request);

}  // namespace levelcast
