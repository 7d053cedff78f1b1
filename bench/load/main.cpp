// levelcast-load: a WebSocket load generator for levelcast and its comparison peers.
//
//   levelcast-load --mode fanout  --port P --connections 1000 --expect-rate 50 --pid SERVER
//   levelcast-load --mode echo    --port P --connections 100 --in-flight 4 --size 128
//   levelcast-load --mode connect --port P --connections 64 --connect-rate 5000
//
// Main parses the options, starts one LoadWorker per thread, waits for the connections to
// open, publishes the measured window, samples CPU and RSS at its edges, tells the workers to
// close and prints the report. Exit status: 0; 1 when a connection failed to connect or to
// complete the handshake; 2 on a bad option.
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "client_socket.hpp"
#include "load_options.hpp"
#include "load_report.hpp"
#include "load_worker.hpp"
#include "process_usage.hpp"
#include "run_schedule.hpp"

namespace levelcast::load {
namespace {

// Set-up ends when no connection has opened or failed for this long (the workers' handshake
// timeout plus a margin), and in any case after kMaxSetupSeconds beyond the pacing.
constexpr double kSetupStallSeconds = 12;
constexpr double kMaxSetupSeconds = 300;
constexpr unsigned kSpareFds = 64;  // epoll instances, stdio, /proc reads

// Raises the soft open-file limit to the hard one; every connection needs a descriptor.
void raise_open_file_limit(unsigned connections) {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  if (static_cast<rlim_t>(connections) + kSpareFds > limit.rlim_cur) {
    fail_option("--connections", fmt::format("{} does not fit under the open-file limit of {}",
                                             connections, limit.rlim_cur));
  }
}

// With one source address, each connection to the one server port needs its own local port.
void warn_about_port_range(const LoadOptions& options) {
  std::FILE* file = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
  if (file == nullptr) return;
  unsigned low = 0;
  unsigned high = 0;
  const bool read = std::fscanf(file, "%u %u", &low, &high) == 2;
  std::fclose(file);
  const std::uint64_t ports = read && high >= low ? std::uint64_t{high} - low + 1 : 0;
  if (ports != 0 && options.connections > ports * options.source_ips) {
    fmt::print(stderr,
               "levelcast-load: warning: {} connections exceed {} ephemeral ports x {} source "
               "addresses; raise --source-ips\n",
               options.connections, ports, options.source_ips);
  }
}

LoadPlan make_plan(LoadOptions options) {
  LoadPlan plan;
  const auto server = resolve_ipv4(options.host, options.port);
  if (!server)
    fail_option("--host", fmt::format("cannot resolve '{}' to an IPv4 address", options.host));
  plan.server = *server;
  plan.host_header = fmt::format("{}:{}", options.host, options.port);
  options.threads = std::min(options.threads, options.connections);
  plan.options = std::move(options);
  return plan;
}

void sleep_until(std::int64_t target_us) {
  for (std::int64_t now = realtime_micros(); now < target_us; now = realtime_micros()) {
    std::this_thread::sleep_for(
        std::chrono::microseconds(std::min<std::int64_t>(target_us - now, 100'000)));
  }
}

// Fanout and echo: waits until every connection has opened or failed. Set-up may take as long
// as the pacing asks for and then as long as connections keep settling, up to a hard cap.
void wait_for_setup(const LoadOptions& options, RunSchedule& schedule) {
  if (options.mode == LoadMode::connect) return;
  const double pacing_s = options.connect_rate > 0 ? options.connections / options.connect_rate : 0;
  const auto seconds = [](double s) { return static_cast<std::int64_t>(s * 1e6); };
  const std::int64_t cap_us = schedule.start_us + seconds(pacing_s + kMaxSetupSeconds);
  std::int64_t deadline_us = schedule.start_us + seconds(pacing_s + kSetupStallSeconds);
  std::uint64_t settled = 0;
  for (std::int64_t now = realtime_micros(); settled < options.connections && now < deadline_us;
       now = realtime_micros()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const std::uint64_t settled_now = schedule.settled.load(std::memory_order_acquire);
    if (settled_now != settled)
      deadline_us = std::max(deadline_us, std::min(cap_us, now + seconds(kSetupStallSeconds)));
    settled = settled_now;
  }
  fmt::print(stderr, "levelcast-load: {} of {} connections open after {:.2f} s\n",
             schedule.opened.load(), options.connections,
             static_cast<double>(realtime_micros() - schedule.start_us) * 1e-6);
}

// Publishes the window, sleeps through it and samples CPU and memory at both edges.
WindowSamples measure_window(const LoadOptions& options, RunSchedule& schedule) {
  WindowSamples samples;
  const bool nothing_open =
      options.mode != LoadMode::connect && schedule.opened.load(std::memory_order_acquire) == 0;
  const std::int64_t start_us =
      realtime_micros() + static_cast<std::int64_t>(options.warmup_s * 1e6);
  const std::int64_t end_us =
      nothing_open ? start_us : start_us + static_cast<std::int64_t>(options.duration_s * 1e6);
  schedule.window_start_us.store(start_us, std::memory_order_relaxed);
  schedule.window_end_us.store(end_us, std::memory_order_relaxed);
  schedule.phase.store(RunPhase::running, std::memory_order_release);
  if (nothing_open) return samples;

  sleep_until(start_us);
  const std::int64_t sampled_start_us = realtime_micros();
  const double cpu_start = process_cpu_seconds();
  if (options.pid != 0) samples.server_start = sample_process(options.pid);
  sleep_until(end_us);
  const std::int64_t sampled_end_us = realtime_micros();
  samples.client_cpu_seconds = process_cpu_seconds() - cpu_start;
  if (options.pid != 0) samples.server_end = sample_process(options.pid);
  samples.wall_seconds = static_cast<double>(sampled_end_us - sampled_start_us) * 1e-6;
  return samples;
}

int run_load(const LoadPlan& plan) {
  const LoadOptions& options = plan.options;
  RunSchedule schedule;
  schedule.start_us = realtime_micros();
  std::vector<std::unique_ptr<LoadWorker>> workers;
  for (unsigned i = 0; i < options.threads; ++i) {
    workers.push_back(std::make_unique<LoadWorker>(plan, schedule, i));
  }
  std::vector<std::thread> threads;
  for (auto& worker : workers) threads.emplace_back([&worker] { worker->run(); });

  wait_for_setup(options, schedule);
  WindowSamples samples = measure_window(options, schedule);
  if (const auto self = sample_process(::getpid())) samples.client_rss_bytes = self->rss_bytes;
  schedule.phase.store(RunPhase::closing, std::memory_order_release);
  for (std::thread& thread : threads) thread.join();

  WorkerStats totals;
  for (const auto& worker : workers) totals.merge(worker->stats());
  const RunFigures figures = compute_figures(plan, totals, samples);
  print_human_report(stdout, figures);
  if (options.json) print_json_report(stdout, figures);
  return totals.connect_failed + totals.handshake_failed + totals.not_started != 0 ? 1 : 0;
}

}  // namespace
}  // namespace levelcast::load

int main(int argc, char** argv) {
  using namespace levelcast::load;
  const LoadOptions options = parse_load_options(argc, argv);
  raise_open_file_limit(options.connections);
  if (options.pid != 0 && !sample_process(options.pid)) {
    fail_option("--pid", fmt::format("cannot read /proc/{}/stat and status", options.pid));
  }
  warn_about_port_range(options);
  std::signal(SIGPIPE, SIG_IGN);
  LoadPlan plan = make_plan(options);
  std::unique_ptr<ClientTls> tls;
  if (plan.options.tls) {
    tls = std::make_unique<ClientTls>();
    plan.tls = tls.get();
  }
  return run_load(plan);
}
