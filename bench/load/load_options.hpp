#pragma once
// LoadOptions: the command line of levelcast-load, checked. Built once at start-up by
// parse_load_options, then read-only and shared by every thread.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace levelcast::load {

enum class LoadMode : std::uint8_t { fanout, echo, connect };

std::string_view mode_name(LoadMode mode) noexcept;

inline constexpr double kMaxDurationSeconds = 3600;
inline constexpr double kMaxWarmupSeconds = 600;
inline constexpr std::size_t kMinEchoSize = 8;  // the echo payload starts with its send time
inline constexpr std::size_t kMaxEchoSize = std::size_t{16} << 20;

struct LoadOptions {
  LoadMode mode = LoadMode::fanout;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string path;  // after parsing: /levels for fanout and connect, /echo for echo by default
  unsigned connections = 100;
  double duration_s = 10;
  double warmup_s = 1;
  double connect_rate = 0;  // connections started per second over all threads; 0: unpaced
  unsigned in_flight = 1;
  std::size_t size = 64;
  int pid = 0;  // server to sample; 0: none
  unsigned threads = 1;
  unsigned source_ips = 1;
  bool json = false;
  bool busy_poll = false;  // never block in epoll_wait; measure idle time as empty polls
  double expect_rate = 0;  // Hz per connection the server should deliver; 0: unknown
  bool tls = false;         // wss:// (the port is the server's TLS port)
  bool tls_resume = false;  // offer the last session ticket on every new connection
  bool sse = false;        // fanout over Server-Sent Events (GET /events...) instead of WebSocket
  bool deflate = false;    // offer permessage-deflate and inflate compressed snapshots
};

// On a bad option prints one line naming it to stderr and exits with status 2; on --help
// prints the usage and exits with 0.
LoadOptions parse_load_options(int argc, char** argv);

// Exits with status 2 after printing "levelcast-load: <option>: <problem>" to stderr.
[[noreturn]] void fail_option(std::string_view option, std::string_view problem);

}  // namespace levelcast::load
