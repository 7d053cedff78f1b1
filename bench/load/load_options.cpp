#include "load_options.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

namespace levelcast::load {
namespace {

void add_connection_options(CLI::App& app, LoadOptions& options) {
  app.add_option("--host", options.host, "server address (IPv4)")->capture_default_str();
  app.add_option("--port", options.port, "server port")->required()->check(CLI::Range(1, 65535));
  app.add_option("--path", options.path,
                 "request path and query (default /levels, /echo in echo mode)");
  app.add_option("--connections", options.connections, "connections (connect mode: concurrent)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1000000u));
  app.add_option("--threads", options.threads, "threads, each with its own epoll")
      ->capture_default_str()
      ->check(CLI::Range(1u, 64u));
  app.add_option("--connect-rate", options.connect_rate,
                 "connections started per second, all threads (0: unpaced)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e7));
  app.add_option("--source-ips", options.source_ips,
                 "spread source addresses over 127.0.0.1..127.0.0.N")
      ->capture_default_str()
      ->check(CLI::Range(1u, 254u));
}

void add_measurement_options(CLI::App& app, LoadOptions& options) {
  app.add_option("--duration", options.duration_s, "measured seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.01, kMaxDurationSeconds));
  app.add_option("--warmup", options.warmup_s, "seconds between set-up and measuring")
      ->capture_default_str()
      ->check(CLI::Range(0.0, kMaxWarmupSeconds));
  app.add_option("--in-flight", options.in_flight, "echo: messages in flight per connection")
      ->capture_default_str()
      ->check(CLI::Range(1u, 4096u));
  app.add_option("--size", options.size, "echo: payload bytes")
      ->capture_default_str()
      ->check(CLI::Range(kMinEchoSize, kMaxEchoSize));
  app.add_option("--pid", options.pid, "server process to sample (CPU time, RSS)")
      ->check(CLI::Range(1, 1 << 30));
  app.add_option("--expect-rate", options.expect_rate,
                 "fanout: messages per second per connection the server sends")
      ->check(CLI::Range(0.0, 1e7));
  app.add_flag("--json", options.json, "also print one JSON line at the end");
  app.add_flag("--sse", options.sse, "fanout: read Server-Sent Events (default path /events)");
  app.add_flag("--deflate", options.deflate,
               "offer permessage-deflate and inflate compressed snapshots");
  app.add_flag("--busy-poll", options.busy_poll,
               "poll without blocking; report the share of the window spent on messages");
  app.add_flag("--tls", options.tls, "connect with TLS (wss://; the server's certificate is not checked)");
  app.add_flag("--tls-resume", options.tls_resume,
               "with --tls: resume each new connection from the last session ticket")
      ->needs("--tls");
}

void check_options(LoadOptions& options) {
  if (options.path.empty()) {
    options.path = options.mode == LoadMode::echo ? "/echo" : options.sse ? "/events" : "/levels";
  }
  if (options.sse && (options.mode != LoadMode::fanout || options.deflate)) {
    fail_option("--sse", "goes with fanout mode only, without --deflate");
  }
  // Both go into the request line and the JSON report as they are.
  constexpr std::string_view kUnsafe = " \"\\\t\r\n";
  if (options.path.front() != '/' || options.path.find_first_of(kUnsafe) != std::string::npos) {
    fail_option("--path", "must start with '/' and hold no spaces, quotes or backslashes");
  }
  if (options.mode != LoadMode::connect && options.connect_rate > 0 &&
      options.connections / options.connect_rate > kMaxDurationSeconds) {
    fail_option("--connect-rate", "too low: opening the connections would take over an hour");
  }
  if (options.host.empty() || options.host.size() > 253 ||
      options.host.find_first_of(kUnsafe) != std::string::npos) {
    fail_option("--host", "not a host name or address");
  }
}

}  // namespace

std::string_view mode_name(LoadMode mode) noexcept {
  switch (mode) {
    case LoadMode::fanout:
      return "fanout";
    case LoadMode::echo:
      return "echo";
    case LoadMode::connect:
      return "connect";
  }
  return "?";
}

void fail_option(std::string_view option, std::string_view problem) {
  fmt::print(stderr, "levelcast-load: {}: {}\n", option, problem);
  std::exit(2);
}

LoadOptions parse_load_options(int argc, char** argv) {
  LoadOptions options;
  CLI::App app{"levelcast-load: WebSocket load generator (fanout, echo, connect)"};
  std::string mode_text = "fanout";
  app.add_option("--mode", mode_text, "fanout | echo | connect")
      ->capture_default_str()
      ->check(CLI::IsMember({"fanout", "echo", "connect"}));
  add_connection_options(app, options);
  add_measurement_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    std::exit(0);
  } catch (const CLI::ParseError& error) {
    fmt::print(stderr, "levelcast-load: {}\n", error.what());
    std::exit(2);
  }
  options.mode = mode_text == "echo"      ? LoadMode::echo
                 : mode_text == "connect" ? LoadMode::connect
                                          : LoadMode::fanout;
  check_options(options);
  return options;
}

}  // namespace levelcast::load
