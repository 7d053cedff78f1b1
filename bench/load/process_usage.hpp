#pragma once
// CPU time and resident memory of this process, of the calling thread, and of another process
// read from /proc/PID/stat and /proc/PID/status. Plain functions doing a syscall or a small
// file read each; safe from any thread, never on the per-message path.
#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace levelcast::load {

double process_cpu_seconds() noexcept;  // user + system, all threads (getrusage RUSAGE_SELF)
double thread_cpu_seconds() noexcept;   // user + system, calling thread (RUSAGE_THREAD)

struct ProcessSample {
  double cpu_seconds = 0;  // utime + stime of all its threads, clock-tick resolution
  std::uint64_t rss_bytes = 0;
};

// std::nullopt when the process is gone or its files cannot be read.
std::optional<ProcessSample> sample_process(pid_t pid);

}  // namespace levelcast::load
