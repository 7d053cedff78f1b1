#pragma once
// Leveled logging to stderr, one write(2) per line so lines from threads never interleave.
// Safe from any thread; set_log_level is meant for start-up.
#include <fmt/core.h>

#include <optional>
#include <string_view>

namespace levelcast {

enum class LogLevel { trace, debug, info, warn, error, off };

std::optional<LogLevel> parse_log_level(std::string_view name);
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
void log_line(LogLevel level, std::string_view message);

template <typename... Args>
void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  if (log_enabled(level)) log_line(level, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace levelcast

#define LC_LOG(level, ...) ::levelcast::log(::levelcast::LogLevel::level, __VA_ARGS__)
