#pragma once
// The end-of-run figures, computed once from the merged worker stats and the CPU/RSS samples,
// then printed for people (several lines) and for scripts (one JSON line). Main thread only.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "load_worker.hpp"
#include "process_usage.hpp"
#include "worker_stats.hpp"

namespace levelcast::load {

struct WindowSamples {
  double wall_seconds = 0;        // the window as main timed it
  double client_cpu_seconds = 0;  // this process, all threads, inside the window
  std::uint64_t client_rss_bytes = 0;
  std::optional<ProcessSample> server_start;
  std::optional<ProcessSample> server_end;
};

struct ServerFigures {
  double cpu_seconds_per_second = 0;
  std::optional<double> cpu_us_per_message;
  double rss_start_mib = 0;
  double rss_end_mib = 0;
};

struct RunFigures {
  LoadMode mode = LoadMode::fanout;
  std::string url;
  unsigned threads = 0;
  unsigned connections = 0;
  double warmup_s = 0;
  double window_s = 0;
  WorkerStats totals;
  double messages_per_second = 0;  // echo: round trips; connect: handshakes
  std::optional<double> delivery_ratio;
  std::optional<double> messages_per_read;
  double client_cpu_percent = 0;
  double busiest_thread_percent = 0;
  // --busy-poll: the busiest thread's share of the window spent on traffic, and the message
  // rate that share extrapolates to when it reaches 100 %.
  std::optional<double> busy_percent;
  std::optional<double> capacity_per_s;
  double client_rss_mib = 0;
  int server_pid = 0;
  std::optional<ServerFigures> server;  // absent without --pid, or when the process went away
  std::string first_connect_error;
};

RunFigures compute_figures(const LoadPlan& plan, const WorkerStats& totals,
                           const WindowSamples& samples);

void print_human_report(std::FILE* out, const RunFigures& figures);
void print_json_report(std::FILE* out, const RunFigures& figures);

}  // namespace levelcast::load
