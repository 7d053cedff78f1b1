// levelcast: parse options, start the server, then handle signals until SIGINT/SIGTERM:
// SIGHUP reloads (log file, level, format: push/reload_hooks.hpp), SIGUSR1/SIGUSR2/SIGALRM are
// logged and otherwise ignored, and every --summary-interval an activity line is logged.
#include <fmt/core.h>
#include <signal.h>
#include <sys/resource.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "push/activity_summary.hpp"
#include "push/options.hpp"
#include "push/server.hpp"
#include "push/service_notify.hpp"
#include "push/token_command.hpp"

namespace {
using namespace levelcast;

constexpr int kLogFlushMs = 1000;  // at exit; a log output that takes longer is stuck

// Many connections need many descriptors: take the hard limit.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// Blocked before any thread exists (threads inherit the mask) so that main() alone takes them
// with sigtimedwait; none of them may kill the server by its default action.
sigset_t block_handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (const int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return set;
}

bool configure_log(const ServerOptions& options) {
  set_log_level(options.log_level);
  set_log_format(options.log_format);
  std::string error;
  if (set_log_file(options.log_file, error)) return true;
  fmt::print(stderr, "levelcast: --log-file: {}\n", error);
  return false;
}

void reload(Server& server, int argc, char** argv) {
  notify_reloading();
  std::string error;
  if (auto fresh = reparse_options(argc, argv, error)) {
    server.reload(*fresh);
  } else {
    LC_LOG(error, "SIGHUP: {}; keeping the running configuration", error);
  }
  notify_ready("reloaded");
}

// Waits for signals until a stop signal comes; logs a summary line every interval meanwhile.
int serve_signals(Server& server, const ServerOptions& options, const sigset_t& signals, int argc,
                  char** argv) {
  const int64_t interval_ns = seconds_to_nanos(options.summary_interval_s);
  ActivitySummary summary(server.metrics(), mono_nanos());
  int64_t next_summary = mono_nanos() + interval_ns;
  while (true) {
    timespec wait{3600, 0};
    if (interval_ns > 0) {
      const int64_t left = std::max<int64_t>(0, next_summary - mono_nanos());
      wait = {static_cast<time_t>(left / kNanosPerSecond), static_cast<long>(left % kNanosPerSecond)};
    }
    const int signal_number = sigtimedwait(&signals, nullptr, &wait);
    if (interval_ns > 0 && mono_nanos() >= next_summary) {
      summary.log(mono_nanos());
      next_summary += interval_ns;
    }
    if (signal_number < 0) continue;  // EAGAIN (the summary's time) or EINTR
    switch (signal_number) {
      case SIGINT:
      case SIGTERM: return signal_number;
      case SIGHUP: reload(server, argc, argv); break;
      default: LC_LOG(info, "signal {} ({}) ignored", signal_number, strsignal(signal_number));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "token") == 0) return run_token_command(argc, argv);
  const sigset_t signals = block_handled_signals();
  raise_open_file_limit();
  ServerOptions options;
  if (const auto exit_code = parse_options(argc, argv, options)) return *exit_code;
  if (!configure_log(options)) return 2;

  StartupError error;
  Server server(options, error);
  if (!server.ok()) {
    flush_log(kLogFlushMs);
    fmt::print(stderr, "levelcast: {}\n", error.message);
    return error.exit_code;
  }
  server.start();
  const std::string host = url_host(options.binds.front());
  if (options.plain()) fmt::print("levelcast listening on ws://{}:{}/levels\n", host, server.port());
  if (options.tls()) fmt::print("levelcast listening on wss://{}:{}/levels\n", host, server.tls_port());
  std::fflush(stdout);
  for (size_t i = 1; i < options.binds.size(); ++i) {
    LC_LOG(info, "also listening on ws://{}:{}/levels", url_host(options.binds[i]), server.port());
  }
  if (!options.admin_host.empty()) {
    LC_LOG(info, "admin listener on http://{}:{}/metrics", url_host(options.admin_host),
           server.admin_port());
  }
  for (size_t i = 0; i < server.topics().size(); ++i) {
    const Topic& t = server.topics().at(i);
    LC_LOG(info, "topic {} ({}): ws://{}:{}/levels/{}", t.name, t.kind, host, server.port(), t.name);
  }
  LC_LOG(info, "{} workers, {} snapshots/s, /echo {}", options.workers, options.rate,
         options.echo ? "on" : "off");
  notify_ready(fmt::format("listening on {}:{}", host, server.port()));

  const int signal_number = serve_signals(server, options, signals, argc, argv);
  notify_stopping();
  LC_LOG(info, "signal {}: closing connections and stopping", signal_number);
  server.stop();
  LC_LOG(info, "stopped");
  flush_log(kLogFlushMs);
  return 0;
}
