// levelcast: parse options, start the server, wait for SIGINT/SIGTERM, stop gracefully.
#include <fmt/core.h>
#include <signal.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstring>

#include "core/log.hpp"
#include "push/options.hpp"
#include "push/server.hpp"
#include "push/token_command.hpp"

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
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace levelcast;
  if (argc > 1 && std::strcmp(argv[1], "token") == 0) return run_token_command(argc, argv);
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
  const std::string host = url_host(options.binds.front());
  fmt::print("levelcast listening on ws://{}:{}/levels\n", host, server.port());
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

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  LC_LOG(info, "signal {}: closing connections and stopping", signal_number);
  server.stop();
  return 0;
}
