#pragma once
// The command line. parse_options() fills ServerOptions or says how to exit: after --help or
// --version (0), or on a bad option, with one line on stderr naming it (2).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/log.hpp"
#include "net/worker.hpp"
#include "push/audio/source_spec.hpp"
#include "push/cluster/cluster_config.hpp"
#include "push/topic_publisher.hpp"

namespace levelcast {

// --tls-bio: TLS sessions over the socket when the kernel has kTLS (automatic), always over the
// socket (socket; for testing that path on a kernel without kTLS), or always over the workers'
// shared buffers (buffers).
enum class TlsBio : uint8_t { automatic, socket, buffers };

struct ServerOptions {
  uint16_t port = 8080;
  std::vector<std::string> binds{"0.0.0.0"};  // --bind, repeatable; all share --port
  int workers = 1;
  double rate = 50;
  int channels = 2;                // of the default synth source, when no --source is given
  std::vector<SourceSpec> sources;  // --source, in order; the first is the default topic
  int64_t max_connections = 0;
  std::vector<int> pin_cpus;
  LogLevel log_level = LogLevel::info;
  bool echo = true;
  uint32_t max_message = 1 << 20;
  std::string static_dir;  // empty: the web page embedded in the binary
  size_t history = 256;    // snapshots kept per topic for ?since= resume
  bool realtime = true;    // pace file sources to real time
  bool io_uring = true;    // --send-mode io_uring (default) or send
  int64_t max_lag_ns = 250'000'000;  // --max-lag: a worker further behind skips stale frames
  PendingBound bound;  // --max-queued-frames, --max-queued-bytes: per subscriber
  DeflateSettings deflate;  // --deflate, --deflate-min-bytes
  ConnectionLimits limits;
  ClusterConfig cluster;   // --cluster and its options
  size_t max_topics = 256;  // topics served: local ones and those learned from the cluster
  bool allow_reset = false;  // POST /topics/NAME/reset-loudness
  // Operations (--config and friends, docs/OPERATIONS.md).
  std::string config_file;            // --config, read again on SIGHUP
  std::string log_file;               // empty: stderr
  LogFormat log_format = LogFormat::text;
  bool reuse_port = false;            // SO_REUSEPORT: a new process may bind the port first
  double summary_interval_s = 60;     // one info line of totals per interval; 0: none
  // Access (docs/SECURITY.md).
  std::vector<std::string> allowed_origins;
  std::string auth_hmac_secret_file;
  std::vector<std::string> auth_public_keys;
  std::string auth_audience;
  int64_t auth_leeway_s = 5;
  uint32_t max_connections_per_ip = 0;  // 0: no per-address limit
  std::string admin_host;               // --admin-bind ADDR:PORT; empty: no admin listener
  uint16_t admin_port = 0;
  // TLS (--tls-cert and --tls-key turn it on): a second listener on tls_port.
  std::string tls_cert;
  std::string tls_key;
  uint16_t tls_port = 8443;
  bool no_plain = false;  // --no-plain: TLS only
  TlsBio tls_bio = TlsBio::automatic;  // --tls-bio: where TLS sessions do their I/O
  int64_t tls_ticket_rotation_s = 12 * 3600;  // a new session ticket key this often
  bool plain() const { return !no_plain; }
  bool tls() const { return !tls_cert.empty(); }
};

// Returns the exit code when the program should stop now, nullopt when it should run.
// --print-config prints the effective configuration as TOML and returns 0.
std::optional<int> parse_options(int argc, char** argv, ServerOptions& options);

// The same command line (and the --config file it names) parsed again for a SIGHUP reload:
// nothing is printed; on failure nullopt with the one-line reason in `error`.
std::optional<ServerOptions> reparse_options(int argc, char** argv, std::string& error);

// TOML text read as a --config file would be, with no command line: the one-line error, or
// nullopt when it gives a valid configuration. For the config fuzz target (tests/fuzz).
std::optional<std::string> check_config_text(const std::string& toml);

// The text of --help (README shows the same).
std::string help_text();

}  // namespace levelcast
