#include "load_report.hpp"

#include <fmt/format.h>

#include <cstring>

namespace levelcast::load {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
// Above this a worker thread has no slack left: latency and messages per read then measure it.
constexpr double kSaturatedPercent = 85;

// How loaded the busiest client thread was: its CPU share, or with --busy-poll (where the CPU
// is always 100 %) the share of the window it spent on traffic.
double client_load_percent(const RunFigures& f) noexcept {
  return f.busy_percent.value_or(f.busiest_thread_percent);
}

double millis(std::uint64_t micros) { return static_cast<double>(micros) / 1000.0; }

std::optional<ServerFigures> server_figures(const WindowSamples& samples, std::uint64_t delivered) {
  if (!samples.server_start || !samples.server_end || samples.wall_seconds <= 0) {
    return std::nullopt;
  }
  ServerFigures server;
  const double cpu = samples.server_end->cpu_seconds - samples.server_start->cpu_seconds;
  server.cpu_seconds_per_second = cpu / samples.wall_seconds;
  if (delivered != 0) server.cpu_us_per_message = cpu * 1e6 / static_cast<double>(delivered);
  server.rss_start_mib = static_cast<double>(samples.server_start->rss_bytes) / kMiB;
  server.rss_end_mib = static_cast<double>(samples.server_end->rss_bytes) / kMiB;
  return server;
}

// What each mode counts and times, for the human report.
struct ModeWords {
  std::string_view counted;  // plural
  std::string_view unit;     // singular
  std::string_view latency;
};

ModeWords words_for(LoadMode mode) {
  switch (mode) {
    case LoadMode::fanout:
      return {"messages", "message", "latency (now - ts)"};
    case LoadMode::echo:
      return {"round trips", "round trip", "round trip"};
    case LoadMode::connect:
      return {"handshakes", "handshake", "connect + upgrade"};
  }
  return {};
}

}  // namespace

RunFigures compute_figures(const LoadPlan& plan, const WorkerStats& totals,
                           const WindowSamples& samples) {
  const LoadOptions& options = plan.options;
  RunFigures figures;
  figures.mode = options.mode;
  figures.url = fmt::format("{}://{}{}", options.tls ? "wss" : "ws", plan.host_header, options.path);
  figures.threads = options.threads;
  figures.connections = options.connections;
  figures.warmup_s = options.warmup_s;
  figures.window_s = samples.wall_seconds;
  figures.totals = totals;
  const std::uint64_t counted =
      options.mode == LoadMode::connect ? totals.handshakes_in_window : totals.messages_in_window;
  const double window = options.duration_s;  // the workers count inside exactly this span
  if (samples.wall_seconds > 0) {
    figures.messages_per_second = static_cast<double>(counted) / window;
    figures.client_cpu_percent = 100.0 * samples.client_cpu_seconds / samples.wall_seconds;
  }
  if (options.mode == LoadMode::fanout && options.expect_rate > 0 && samples.wall_seconds > 0) {
    const double expected = options.connections * options.expect_rate * window;
    figures.delivery_ratio = static_cast<double>(totals.messages_in_window) / expected;
  }
  if (totals.reads_in_window != 0) {
    figures.messages_per_read = static_cast<double>(totals.messages_in_window) /
                                static_cast<double>(totals.reads_in_window);
  }
  figures.busiest_thread_percent = 100.0 * totals.thread_cpu_share;
  if (options.busy_poll) {
    figures.busy_percent = 100.0 * totals.thread_busy_share;
    if (totals.thread_busy_share > 0) {
      figures.capacity_per_s = figures.messages_per_second / totals.thread_busy_share;
    }
  }
  figures.client_rss_mib = static_cast<double>(samples.client_rss_bytes) / kMiB;
  figures.server_pid = options.pid;
  figures.server = server_figures(samples, counted);
  if (totals.first_connect_errno != 0) {
    figures.first_connect_error = std::strerror(totals.first_connect_errno);
  }
  return figures;
}

namespace {

void print_traffic(std::FILE* out, const RunFigures& f) {
  const WorkerStats& t = f.totals;
  const ModeWords words = words_for(f.mode);
  const std::uint64_t counted =
      f.mode == LoadMode::connect ? t.handshakes_in_window : t.messages_in_window;
  fmt::print(out, "  {:<11}  {} in the window = {:.0f}/s", words.counted, counted,
             f.messages_per_second);
  if (f.delivery_ratio) {
    fmt::print(out, "; delivery {:.2f}% of expected", 100.0 * *f.delivery_ratio);
  }
  fmt::print(out, "\n");
  const LatencyHistogram& h = t.latency;
  fmt::print(out, "  {}: p50 {:.3f} ms, p90 {:.3f} ms, p99 {:.3f} ms, max {:.3f} ms ({} samples)\n",
             words.latency, millis(h.percentile_micros(0.50)), millis(h.percentile_micros(0.90)),
             millis(h.percentile_micros(0.99)), millis(h.max_micros()), h.count());
  if (f.mode != LoadMode::connect) {
    fmt::print(out, "  per read     {:.3f} messages per read() ({} reads)\n",
               f.messages_per_read.value_or(0.0), t.reads_in_window);
    if (t.opened != 0) {
      fmt::print(out, "  per conn     min {}, max {} messages in the window\n",
                 t.min_connection_messages, t.max_connection_messages);
    }
  }
  if (f.mode == LoadMode::fanout) {
    fmt::print(out, "  sequence     {} gaps ({} missing), {} duplicates, {} unparsed\n", t.seq_gaps,
               t.seq_missing, t.duplicates, t.unparsed_in_window);
  }
}

void print_usage(std::FILE* out, const RunFigures& f) {
  fmt::print(out, "  client       CPU {:.1f}% of a core (busiest thread {:.1f}%), RSS {:.1f} MiB\n",
             f.client_cpu_percent, f.busiest_thread_percent, f.client_rss_mib);
  if (f.busy_percent) {
    fmt::print(out, "  client busy  {:.1f}% of the window on traffic (busy-poll)", *f.busy_percent);
    if (f.capacity_per_s) fmt::print(out, ": about {:.0f}/s at 100%", *f.capacity_per_s);
    fmt::print(out, "\n");
  }
  if (client_load_percent(f) >= kSaturatedPercent) {
    fmt::print(out,
               "  warning: a client thread was {:.0f}% busy; the figures above may be limited "
               "by this client (add --threads)\n",
               client_load_percent(f));
  }
  if (f.server) {
    const ServerFigures& s = *f.server;
    fmt::print(out, "  server       pid {}: CPU {:.3f} s/s", f.server_pid,
               s.cpu_seconds_per_second);
    if (s.cpu_us_per_message) {
      fmt::print(out, " = {:.3f} us per {}", *s.cpu_us_per_message, words_for(f.mode).unit);
    }
    fmt::print(out, "; RSS {:.1f} -> {:.1f} MiB ({:+.1f} MiB)\n", s.rss_start_mib, s.rss_end_mib,
               s.rss_end_mib - s.rss_start_mib);
  } else if (f.server_pid != 0) {
    fmt::print(out, "  server       pid {}: not sampled (process gone?)\n", f.server_pid);
  }
}

}  // namespace

void print_human_report(std::FILE* out, const RunFigures& f) {
  const WorkerStats& t = f.totals;
  fmt::print(out,
             "levelcast-load {} {}: {} connections, {} thread{}, {:.2f} s measured after "
             "{:.1f} s warm-up\n",
             mode_name(f.mode), f.url, f.connections, f.threads, f.threads == 1 ? "" : "s",
             f.window_s, f.warmup_s);
  fmt::print(out,
             "  connections  {} opened, {} connect failed, {} handshake failed, {} not "
             "started, {} dropped ({} protocol errors), {} close timeouts\n",
             t.opened, t.connect_failed, t.handshake_failed, t.not_started, t.dropped,
             t.protocol_errors, t.close_timeouts);
  if (f.url.starts_with("wss")) fmt::print(out, "  tls          {} handshakes resumed\n", t.tls_resumed);
  if (!f.first_connect_error.empty()) {
    fmt::print(out, "  first connect error: {}\n", f.first_connect_error);
  }
  print_traffic(out, f);
  print_usage(out, f);
}

namespace {

// One JSON object built field by field. Strings are written as they are: the only ones here are
// the mode and the URL, whose parts the options check for quotes and backslashes.
class JsonObject {
 public:
  JsonObject& raw(std::string_view key, std::string_view value) {
    text_ += fmt::format("{}\"{}\":{}", text_.empty() ? "{" : ",", key, value);
    return *this;
  }
  JsonObject& text(std::string_view key, std::string_view value) {
    return raw(key, fmt::format("\"{}\"", value));
  }
  JsonObject& count(std::string_view key, std::uint64_t value) {
    return raw(key, fmt::format("{}", value));
  }
  JsonObject& number(std::string_view key, std::optional<double> value, int decimals = 3) {
    return raw(key, value ? fmt::format("{:.{}f}", *value, decimals) : std::string("null"));
  }
  std::string close() const { return text_.empty() ? "{}" : text_ + "}"; }

 private:
  std::string text_;
};

std::string server_json(const RunFigures& f) {
  if (!f.server) return "null";
  const ServerFigures& s = *f.server;
  return JsonObject{}
      .count("pid", static_cast<std::uint64_t>(f.server_pid))
      .number("cpu_s_per_s", s.cpu_seconds_per_second, 4)
      .number("cpu_us_per_message", s.cpu_us_per_message)
      .number("rss_start_mib", s.rss_start_mib)
      .number("rss_end_mib", s.rss_end_mib)
      .number("rss_growth_mib", s.rss_end_mib - s.rss_start_mib)
      .close();
}

}  // namespace

void print_json_report(std::FILE* out, const RunFigures& f) {
  const WorkerStats& t = f.totals;
  const LatencyHistogram& h = t.latency;
  const bool per_connection = t.opened != 0 && f.mode != LoadMode::connect;
  const auto per_connection_count = [&](std::uint64_t value) {
    return per_connection ? fmt::format("{}", value) : std::string("null");
  };
  JsonObject json;
  json.text("mode", mode_name(f.mode)).text("url", f.url).count("threads", f.threads);
  json.count("connections", f.connections)
      .number("warmup_s", f.warmup_s)
      .number("window_s", f.window_s);
  json.count("opened", t.opened).count("connect_failed", t.connect_failed);
  json.count("handshake_failed", t.handshake_failed).count("not_started", t.not_started);
  json.count("dropped", t.dropped).count("protocol_errors", t.protocol_errors);
  json.count("close_timeouts", t.close_timeouts).count("messages", t.messages_in_window);
  json.count("handshakes", t.handshakes_in_window).count("tls_resumed", t.tls_resumed).number("rate_per_s", f.messages_per_second, 1);
  json.number("delivery_ratio", f.delivery_ratio, 5).count("latency_samples", h.count());
  json.number("latency_p50_ms", millis(h.percentile_micros(0.50)));
  json.number("latency_p90_ms", millis(h.percentile_micros(0.90)));
  json.number("latency_p99_ms", millis(h.percentile_micros(0.99)));
  json.number("latency_max_ms", millis(h.max_micros()));
  json.count("reads", t.reads_in_window).number("messages_per_read", f.messages_per_read, 4);
  json.raw("min_connection_messages", per_connection_count(t.min_connection_messages));
  json.raw("max_connection_messages", per_connection_count(t.max_connection_messages));
  json.count("seq_gaps", t.seq_gaps).count("seq_missing", t.seq_missing);
  json.count("duplicates", t.duplicates).count("unparsed", t.unparsed_in_window);
  json.number("client_cpu_percent", f.client_cpu_percent, 2);
  json.number("client_busiest_thread_percent", f.busiest_thread_percent, 2);
  json.number("client_busy_percent", f.busy_percent, 2);
  json.number("client_capacity_per_s", f.capacity_per_s, 0);
  json.raw("client_saturated", client_load_percent(f) >= kSaturatedPercent ? "true" : "false");
  json.number("client_rss_mib", f.client_rss_mib, 2).raw("server", server_json(f));
  fmt::print(out, "{}\n", json.close());
}

}  // namespace levelcast::load
