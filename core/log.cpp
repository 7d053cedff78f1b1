#include "core/log.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <ctime>

#include "core/clock.hpp"

namespace levelcast {
namespace {
std::atomic<LogLevel> g_level{LogLevel::info};
constexpr std::array<std::string_view, 6> kNames{"trace", "debug", "info", "warn", "error", "off"};
}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

void set_log_level(LogLevel level) { g_level.store(level, std::memory_order_relaxed); }

bool log_enabled(LogLevel level) {
  return level != LogLevel::off && level >= g_level.load(std::memory_order_relaxed);
}

void log_line(LogLevel level, std::string_view message) {
  const int64_t us = wall_micros();
  const time_t secs = us / 1'000'000;
  tm utc{};
  gmtime_r(&secs, &utc);
  const std::string line =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z {:5} {}\n", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  (us / 1000) % 1000, kNames[static_cast<size_t>(level)], message);
  // One write per line: stderr is unbuffered and lines from several threads must not mix.
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace levelcast
