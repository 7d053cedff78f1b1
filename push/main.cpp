// levelcast: parse options, start the server, wait for SIGINT/SIGTERM, stop gracefully;
// SIGHUP reloads the TLS certificate.
#include <fmt/core.h>
#include <signal.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdio>

#include "core/log.hpp"
#include "push/options.hpp"
#include "push/server.hpp"

namespace {

// Many connections need many descriptors: take the hard limit.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// Blocked in every thread (they inherit the mask) so that main() alone receives them.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace levelcast;
  raise_open_file_limit();
  ServerOptions options;
  if (const auto exit_code = parse_options(argc, argv, options)) return *exit_code;
  set_log_level(options.log_level);
  const sigset_t stop_signals = block_stop_signals();

  StartupError error;
  Server server(options, error);
  if (!server.ok()) {
    fmt::print(stderr, "levelcast: {}\n", error.message);
    return error.exit_code;
  }
  server.start();
  if (options.plain) fmt::print("levelcast listening on ws://{}:{}/levels\n", options.bind, server.port());
  if (options.tls()) fmt::print("levelcast listening on wss://{}:{}/levels\n", options.bind, server.tls_port());
  std::fflush(stdout);
  for (size_t i = 0; i < server.topics().size(); ++i) {
    const Topic& t = server.topics().at(i);
    LC_LOG(info, "topic {} ({}): ws://{}:{}/levels/{}", t.name, t.kind, options.bind, server.port(), t.name);
  }
  LC_LOG(info, "{} workers, {} snapshots/s, /echo {}", options.workers, options.rate,
         options.echo ? "on" : "off");

  int signal_number = 0;
  // SIGHUP reloads (the TLS certificate) on this thread, off the workers; the others stop.
  while (sigwait(&stop_signals, &signal_number) == 0 && signal_number == SIGHUP) server.reload_tls();
  LC_LOG(info, "signal {}: closing connections and stopping", signal_number);
  server.stop();
  return 0;
}
