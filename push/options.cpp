#include "push/options.hpp"

#include <fmt/core.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <sstream>
#include <thread>

#include "core/clock.hpp"
#include "core/cpu_affinity.hpp"
#include "net/socket.hpp"
#include "net/uring_fan_out.hpp"
#include "push/audio/source_kinds.hpp"
#include "push/config_errors.hpp"

namespace levelcast {
namespace {

std::string version_text() {
  std::string kinds;
  for (const SourceKindRow& row : source_kinds()) {
    if (!row.built) continue;
    if (!kinds.empty()) kinds += ' ';
    kinds += row.name;
  }
  const char* write_path = UringFanOut::built_in() ? "io_uring or send" : "send only";
  return "levelcast 0.1.0 (sources: " + kinds + "; write path: " + write_path + ")";
}

int64_t default_max_connections() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  // Leave room for listening sockets, eventfds, epoll sets and log files.
  return std::max<int64_t>(16, static_cast<int64_t>(limit.rlim_max) - 64);
}

// Options whose values are seconds, kept as doubles until parsing succeeds.
struct Seconds {
  double handshake = 5;
  double close = 5;
  double ping = 30;
  double idle = 75;
  double slow_close = 10;
  double max_lag = 0.25;
  double cluster_timeout = 3;
};

struct Texts {
  std::string admin_bind;
  std::string cpus;
  std::string level = "info";
  std::vector<std::string> sources;
  std::string send_mode = "io_uring";
  std::string tls_bio = "auto";
  bool no_realtime = false;
  bool no_echo = false;
  // Operations.
  std::string log_format = "text";
  bool print_config = false;
  std::string cluster;
};

// A name made of letters, digits and _ . : - (Redis keys and log lines stay readable).
CLI::Validator plain_name(size_t longest) {
  return CLI::Validator(
      [longest](std::string& value) -> std::string {
        const bool ok = !value.empty() && value.size() <= longest &&
                        std::all_of(value.begin(), value.end(), [](char c) {
                          return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
                                 c == ':' || c == '-';
                        });
        return ok ? std::string{} : fmt::format("'{}' must be 1 to {} of A-Z a-z 0-9 _ . : -", value, longest);
      },
      "NAME");
}

// The cluster's options, together (docs/CLUSTER.md).
void define_cluster(CLI::App& app, ServerOptions& o, Seconds& s, Texts& t) {
  app.add_option("--cluster", t.cluster,
                 "Share topics with other nodes through Redis: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] "
                 "or unix://[[USER]:PASSWORD@]/path/to/redis.sock[?db=N] (see docs/CLUSTER.md)")
      ->check(CLI::Validator(
          [](std::string& value) {
            std::string error;
            return parse_redis_endpoint(value, error) ? std::string{} : error;
          },
          "URL"));
  app.add_option("--node-id", o.cluster.node_id, "This node's name in the cluster")
      ->check(plain_name(128))
      ->default_str("HOSTNAME:PORT");
  app.add_option("--cluster-prefix", o.cluster.prefix, "Prefix of the cluster's Redis keys and channel")
      ->check(plain_name(64))
      ->capture_default_str();
  app.add_option("--cluster-timeout", s.cluster_timeout,
                 "Seconds: a topic whose owner is silent this long is stalled; the owner lease (3 s at least)")
      ->check(CLI::Range(0.5, 3600.0))
      ->capture_default_str();
  app.add_option("--max-topics", o.max_topics,
                 "Topics served, local and learned from the cluster; above it a topic is not served")
      ->check(CLI::Range(size_t{1}, size_t{4096}))
      ->capture_default_str();
}

// TLS: one contiguous block (define_tls, check_tls).
void define_tls(CLI::App& app, ServerOptions& o, Texts& t) {
  auto* cert = app.add_option("--tls-cert", o.tls_cert,
                              "PEM certificate chain (leaf first) for wss:// and https://; "
                              "with --tls-key turns on the TLS listener; SIGHUP reloads it")
                   ->check(CLI::ExistingFile);
  auto* key = app.add_option("--tls-key", o.tls_key, "PEM private key of --tls-cert (ECDSA P-256 or RSA)")
                  ->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  // No needs(cert) on these two: --print-config writes every option, and a configuration
  // read back must parse; check_tls judges them instead.
  app.add_option("--tls-port", o.tls_port, "TCP port of the TLS listener (0: any free port)")
      ->capture_default_str();
  app.add_flag("--no-plain", o.no_plain,
               "Serve TLS only (needs --tls-cert): no plain listener on --port");
  app.add_option("--tls-bio", t.tls_bio,
                 "Where TLS sessions do their I/O: auto (over the socket when the kernel has kTLS, "
                 "which then encrypts broadcasts; else over the workers' shared buffers), buffers, "
                 "or socket (without kTLS: for testing that path)")
      ->check(CLI::IsMember({"auto", "socket", "buffers"}))
      ->capture_default_str();
  app.add_option("--tls-ticket-rotation", o.tls_ticket_rotation_s,
                 "Seconds between new session ticket keys; a retired key still resumes tickets "
                 "for one more period")
      ->check(CLI::Range(int64_t{1}, int64_t{7 * 86400}))
      ->capture_default_str();
}

std::optional<std::string> check_tls(const ServerOptions& o) {
  if (o.no_plain && !o.tls()) return std::string("--no-plain needs --tls-cert and --tls-key");
  if (o.tls() && o.plain() && o.tls_port != 0 && o.tls_port == o.port) {
    return fmt::format("--tls-port: {} is also --port; give TLS a port of its own", o.tls_port);
  }
  return std::nullopt;
}

// Running as a service: the config file, the log, the hand-over between processes.
void define_operations(CLI::App& app, ServerOptions& o, Texts& t) {
  app.set_config("--config", "",
                 "TOML file setting any of these options (key = value, names without --); "
                 "the command line wins; read again on SIGHUP")
      ->check(CLI::ExistingFile);
  app.allow_config_extras(false);
  app.add_flag("--print-config", t.print_config,
               "Print the effective configuration as TOML and exit")
      ->configurable(false);
  app.add_option("--log-format", t.log_format, "Log lines as text or json (one object per line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--log-file", o.log_file, "Append the log to this file instead of stderr; reopened on SIGHUP");
  app.add_flag("--reuse-port", o.reuse_port,
               "Let another levelcast bind the same port (SO_REUSEPORT), for restarts without a gap");
  app.add_option("--summary-interval", o.summary_interval_s,
                 "Seconds between info lines of totals (connections, deliveries/s, drops, skips); 0: none")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
}

// Who may listen (docs/SECURITY.md): one block, to keep merges apart.
void define_access(CLI::App& app, ServerOptions& o, Texts& t) {
  app.add_option("--allowed-origin", o.allowed_origins,
                 "Origin allowed to open WebSockets (scheme://host[:port], * as a host label, "
                 "or null); repeatable; others get 403");
  app.add_option("--auth-hmac-secret-file", o.auth_hmac_secret_file,
                 "File with the HS256 secret (32 bytes or more): /levels* and /topics then need "
                 "a token")
      ->check(CLI::ExistingFile);
  app.add_option("--auth-public-key", o.auth_public_keys,
                 "PEM public key, EC P-256 (ES256) or RSA (RS256); its file name is its kid; "
                 "repeatable")
      ->check(CLI::ExistingFile);
  app.add_option("--auth-audience", o.auth_audience, "Required aud claim of tokens");
  app.add_option("--auth-leeway", o.auth_leeway_s, "Seconds of clock skew allowed for exp and nbf")
      ->check(CLI::Range(int64_t{0}, int64_t{3600}))
      ->capture_default_str();
  app.add_option("--max-connections-per-ip", o.max_connections_per_ip,
                 "Open connections per client address before new ones get HTTP 429; 0: no limit")
      ->check(CLI::Range(uint32_t{0}, uint32_t{10'000'000}))
      ->capture_default_str();
  app.add_option("--admin-bind", t.admin_bind,
                 "ADDR:PORT of a listener for /metrics and /healthz alone (then not on --bind)");
}

void define(CLI::App& app, ServerOptions& o, Seconds& s, Texts& t) {
  app.add_option("--port", o.port, "TCP port to listen on (0: any free port)")
      ->capture_default_str();
  app.add_option("--bind", o.binds,
                 "Address to listen on, IPv4 or IPv6 (::1, [::] for dual-stack); repeatable")
      ->default_str("0.0.0.0");
  app.add_option("--workers", o.workers, "Worker threads, each with its own epoll loop")
      ->check(CLI::Range(1, 256))
      ->default_str("number of CPUs");
  app.add_option("--rate", o.rate, "Snapshots per second")
      ->check(CLI::Range(0.1, 10000.0))
      ->capture_default_str();
  app.add_option("--source", t.sources,
                 "NAME=KIND:ARG[:OPTIONS], repeatable; the first is the default topic (see README)");
  app.add_option("--channels", o.channels, "Channels of the default synthetic source")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--max-connections", o.max_connections,
                 "Open connections before new ones get HTTP 503")
      ->check(CLI::Range(int64_t{1}, int64_t{10'000'000}))
      ->default_str("open-file limit - 64");
  app.add_option("--pin-cpus", t.cpus, "Pin workers, then acceptor and producer, to CPUs (e.g. 0,1 or 0-3)");
  app.add_option("--log-level", t.level, "trace, debug, info, warn, error or off")->capture_default_str();
  app.add_option("--static-dir", o.static_dir,
                 "Serve the web page from this folder instead of the embedded one")
      ->check(CLI::ExistingDirectory);
  app.add_option("--history", o.history, "Snapshots kept per topic for clients resuming with ?since=")
      ->check(CLI::Range(size_t{1}, size_t{65536}))
      ->capture_default_str();
  app.add_flag("--no-realtime", t.no_realtime,
               "Read file sources as fast as possible instead of in real time");
  app.add_flag("--no-echo", t.no_echo, "Disable the /echo route");
  app.add_option("--max-message", o.max_message, "Largest message accepted on /echo, in bytes")
      ->check(CLI::Range(uint32_t{1}, uint32_t{1} << 30))
      ->capture_default_str();
  app.add_option("--max-header-bytes", o.limits.max_header_bytes,
                 "Largest request line plus headers (431 above)")
      ->check(CLI::Range(size_t{256}, size_t{1} << 20))
      ->capture_default_str();
  const auto seconds = CLI::Range(0.001, 86400.0);
  app.add_option("--handshake-timeout", s.handshake, "Seconds to complete the HTTP upgrade")
      ->check(seconds)->capture_default_str();
  app.add_option("--close-timeout", s.close, "Seconds to wait for the closing handshake")
      ->check(seconds)->capture_default_str();
  app.add_option("--ping-interval", s.ping, "Seconds between server pings")
      ->check(seconds)->capture_default_str();
  app.add_option("--idle-timeout", s.idle, "Seconds of client silence before closing")
      ->check(seconds)->capture_default_str();
  app.add_option("--send-mode", t.send_mode,
                 "How workers write a broadcast: io_uring (one submission per round, falls back "
                 "to send when unavailable) or send (one system call per subscriber)")
      ->check(CLI::IsMember({"io_uring", "send"}))
      ->capture_default_str();
  app.add_option("--slow-close-after", s.slow_close,
                 "Close (1008) a subscriber that has taken no snapshot for this many seconds; 0: never")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  app.add_option("--max-lag", s.max_lag,
                 "Seconds a worker may fall behind; beyond that it writes each topic's newest "
                 "snapshot only and skips the stale ones; 0: never skip")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  app.add_option("--max-queued-frames", o.bound.frames,
                 "Snapshots a subscriber that is behind may have queued; past this or "
                 "--max-queued-bytes the newest replaces them all")
      ->check(CLI::Range(uint32_t{1}, uint32_t{4096}))
      ->capture_default_str();
  app.add_option("--max-queued-bytes", o.bound.bytes, "Bytes of snapshots a subscriber may have queued")
      ->check(CLI::Range(uint32_t{256}, uint32_t{1} << 30))
      ->capture_default_str();
  app.add_option("--subscriber-sndbuf", o.limits.subscriber_sndbuf,
                 "Kernel send buffer of a subscriber's socket, in bytes (SO_SNDBUF); 0: autotuned")
      ->check(CLI::Range(0, 64 << 20))
      ->capture_default_str();
  app.add_flag("--deflate", o.deflate.enabled,
               "Offer permessage-deflate: each snapshot is compressed once per format for every "
               "subscriber that negotiated it");
  app.add_option("--deflate-min-bytes", o.deflate.min_bytes,
                 "Snapshots smaller than this go uncompressed even on deflate connections")
      ->check(CLI::Range(size_t{0}, size_t{1} << 20))
      ->capture_default_str();
  app.add_option("--max-output-memory", o.limits.output_budget,
                 "Bytes of replies and echoes all connections of a worker may hold before the "
                 "largest holders are closed (1008); 0: no limit")
      ->capture_default_str();
  // The meter's options.
  app.add_flag("--allow-reset", o.allow_reset,
               "Allow POST /topics/NAME/reset-loudness (restarts integrated loudness, range and "
               "maxima) from any client");
  define_operations(app, o, t);
  define_access(app, o, t);
  define_tls(app, o, t);
  define_cluster(app, o, s, t);
}

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// --source values: parsed, names unique; none means the built-in synth topic.
std::optional<std::string> parse_sources(const std::vector<std::string>& texts, ServerOptions& o) {
  for (const std::string& text : texts) {
    std::string error;
    SourceSpec spec = parse_source_spec(text, error);
    if (!error.empty()) return "--source: " + error;
    for (const SourceSpec& other : o.sources) {
      if (other.name == spec.name) return fmt::format("--source: topic '{}' is given twice", spec.name);
    }
    o.sources.push_back(std::move(spec));
  }
  if (o.sources.size() > o.max_topics)
    return fmt::format("--source: {} topics, more than --max-topics {}", o.sources.size(), o.max_topics);
  // An edge of a cluster has no topic of its own unless given one.
  if (o.sources.empty() && !o.cluster.enabled) {
    SourceSpec synth;
    synth.name = "synth";
    synth.kind = SourceKind::synth;
    synth.channels = o.channels;
    o.sources.push_back(std::move(synth));
  }
  return std::nullopt;
}

// Turns the parsed texts into options; the reason on failure.
std::optional<std::string> finish(ServerOptions& o, const Seconds& s, const Texts& t) {
  const auto fail = [](const std::string& message) { return std::optional<std::string>(message); };
  const std::string& cpus = t.cpus;
  const std::string& level = t.level;
  if (!t.cluster.empty()) {
    std::string error;
    o.cluster.redis = *parse_redis_endpoint(t.cluster, error);  // checked by its validator
    o.cluster.enabled = true;
  }
  o.cluster.timeout_ns = seconds_to_nanos(s.cluster_timeout);
  o.cluster.history = o.history;
  if (auto error = parse_sources(t.sources, o)) return fail(*error);
  if (auto error = check_tls(o)) return fail(*error);
  o.io_uring = t.send_mode == "io_uring";
  o.tls_bio = t.tls_bio == "socket" ? TlsBio::socket : t.tls_bio == "buffers" ? TlsBio::buffers : TlsBio::automatic;
  o.realtime = !t.no_realtime;
  o.echo = !t.no_echo;
  o.log_format = t.log_format == "json" ? LogFormat::json : LogFormat::text;
  if (!cpus.empty()) {
    auto parsed = parse_cpu_list(cpus);
    if (!parsed) return fail(fmt::format("--pin-cpus: '{}' is not a CPU list like 0,2-3", cpus));
    o.pin_cpus = std::move(*parsed);
  }
  const auto parsed_level = parse_log_level(level);
  if (!parsed_level) return fail(fmt::format("--log-level: unknown level '{}'", level));
  o.log_level = *parsed_level;
  o.limits.handshake_timeout_ns = seconds_to_nanos(s.handshake);
  o.limits.close_timeout_ns = seconds_to_nanos(s.close);
  o.limits.ping_interval_ns = seconds_to_nanos(s.ping);
  o.limits.idle_timeout_ns = seconds_to_nanos(s.idle);
  o.limits.slow_close_ns = seconds_to_nanos(s.slow_close);
  o.max_lag_ns = seconds_to_nanos(s.max_lag);
  for (const std::string& address : o.binds) {
    if (!is_ip_address(address)) {
      return fail(fmt::format("--bind: '{}' is not an IPv4 or IPv6 address", address));
    }
  }
  if (!t.admin_bind.empty() && !split_host_port(t.admin_bind, o.admin_host, o.admin_port)) {
    return fail(fmt::format("--admin-bind: '{}' is not ADDR:PORT (IPv6 in brackets)", t.admin_bind));
  }
  return std::nullopt;
}

// The --cluster line with its password REDACTED: --print-config output is shown and pasted.
std::string without_password(std::string_view line) {
  constexpr std::string_view kKey = "cluster=";
  if (!line.starts_with(kKey) || line.size() == kKey.size()) return std::string(line);
  const size_t value = kKey.size() + 1;  // after the opening quote
  return std::string(line.substr(0, value)) + redact_redis_url(line.substr(value));
}

// The effective configuration: options not given report their current value (the default, or
// what start-up computed, like the number of CPUs), so the output read back changes nothing.
// An empty text (no --source, no --static-dir) is written as a comment: unset and empty are
// the same, and an empty path would not pass its check when read back.
std::string effective_config(CLI::App& app) {
  // Repeatable options not given stay unset: their default reads back as itself, and CLI11
  // would write an empty list as the string "[]".
  for (CLI::Option* option : app.get_options()) {
    if (option->count() == 0 && option->get_items_expected_max() <= 1) option->capture_default_str();
  }
  std::string text = app.config_to_str(true, true);
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line(text.data() + start, end - start);
    if (line.ends_with("=\"\"") && !line.starts_with('#')) out += "# ";
    out.append(without_password(line));
    out += '\n';
    start = end + 1;
  }
  return out;
}

void build_app(CLI::App& app, ServerOptions& o, Seconds& s, Texts& t) {
  app.name("levelcast");
  app.description("levelcast: live audio levels pushed over WebSocket to every subscriber.");
  o.workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.max_connections = default_max_connections();
  define(app, o, s, t);
  app.set_version_flag("--version", version_text());
}

// One parse of the command line (and its --config file): what to print, and how to exit.
struct ParseOutcome {
  std::optional<int> exit_code;  // nullopt: run
  std::string out;               // for stdout (--help, --version, --print-config)
  std::string error;             // one line for stderr
};

ParseOutcome parse(int argc, char** argv, ServerOptions& options) {
  CLI::App app;
  Seconds seconds;
  Texts texts;
  build_app(app, options, seconds, texts);
  const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  const auto config_file = [&app] {
    const CLI::Option* config = app.get_config_ptr();
    // results(), not as<>(): after a failed parse as<>() would validate again and throw.
    return config != nullptr && !config->results().empty() ? config->results().front() : std::string();
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForVersion&) {
    return {0, version_text() + "\n", {}};
  } catch (const CLI::CallForHelp&) {
    return {0, app.help(), {}};
  } catch (const CLI::Success&) {
    return {0, {}, {}};
  } catch (const CLI::ParseError& e) {
    return {2, {}, locate_config_error(config_file(), one_line(e.what()), args)};
  }
  options.config_file = config_file();
  if (auto error = finish(options, seconds, texts)) {
    return {2, {}, locate_config_error(options.config_file, *error, args)};
  }
  if (texts.print_config) return {0, effective_config(app), {}};
  return {};
}

}  // namespace

std::optional<int> parse_options(int argc, char** argv, ServerOptions& options) {
  const ParseOutcome outcome = parse(argc, argv, options);
  if (!outcome.out.empty()) fmt::print("{}", outcome.out);
  if (!outcome.error.empty()) fmt::print(stderr, "levelcast: {}\n", outcome.error);
  return outcome.exit_code;
}

std::optional<ServerOptions> reparse_options(int argc, char** argv, std::string& error) {
  ServerOptions options;
  const ParseOutcome outcome = parse(argc, argv, options);
  if (!outcome.exit_code) return options;
  error = outcome.error.empty() ? "the command line no longer starts a server" : outcome.error;
  return std::nullopt;
}

std::optional<std::string> check_config_text(const std::string& toml) {
  CLI::App app;
  ServerOptions options;
  Seconds seconds;
  Texts texts;
  build_app(app, options, seconds, texts);
  std::istringstream in(toml);
  try {
    app.parse_from_stream(in);
  } catch (const CLI::Error& e) {
    return one_line(e.what());
  }
  return finish(options, seconds, texts);
}

std::string help_text() {
  CLI::App app;
  ServerOptions options;
  Seconds seconds;
  Texts texts;
  build_app(app, options, seconds, texts);
  return app.help();
}

}  // namespace levelcast
