#pragma once
// Leveled logging that never blocks the calling thread. A call formats its line (text or one
// JSON object) and hands it to the LogWriter's bounded queue; the writer thread alone writes to
// stderr or the log file. When the output is slower than the log (stderr into a full pipe) the
// lines that do not fit are dropped and counted, and the count is logged once the queue drains.
// Safe from any thread; the level and format may change at run time (SIGHUP reload).
#include <fmt/core.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace levelcast {

enum class LogLevel { trace, debug, info, warn, error, off };
enum class LogFormat { text, json };

std::optional<LogLevel> parse_log_level(std::string_view name);
std::string_view log_level_name(LogLevel level);
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
void set_log_format(LogFormat format);

// A structured field of a log line: `key=value` in text, `"key":value` in JSON. `number`
// values are written bare in JSON, the others as strings.
struct LogField {
  std::string_view key;
  std::string value;
  bool number = true;
};

void log_line(LogLevel level, std::string_view message);
void log_fields(LogLevel level, std::string_view message, std::initializer_list<LogField> fields);

// Sends the log to `path` (appended to, created 0640), or to stderr when `path` is empty.
// Opens the file now (call it again to reopen after logrotate moved it); the writer switches
// between two batches. False with `error` when the file cannot be opened: the log keeps its
// old destination. Never waits for the writer.
bool set_log_file(const std::string& path, std::string& error);
// Lines dropped because the queue was full, since the start.
uint64_t log_lines_dropped();
// Waits up to `timeout_ms` for every queued line to be written; false if time ran out (the
// output is stuck). Used before exit: a stuck stderr must not keep the process alive.
bool flush_log(int timeout_ms);

template <typename... Args>
void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  if (log_enabled(level)) log_line(level, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace levelcast

#define LC_LOG(level, ...) ::levelcast::log(::levelcast::LogLevel::level, __VA_ARGS__)
