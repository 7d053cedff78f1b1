#include "core/log.hpp"

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <ctime>

#include "core/clock.hpp"
#include "core/log_writer.hpp"

namespace levelcast {
namespace {
std::atomic<LogLevel> g_level{LogLevel::info};
std::atomic<LogFormat> g_format{LogFormat::text};
constexpr std::array<std::string_view, 6> kNames{"trace", "debug", "info", "warn", "error", "off"};

std::string timestamp() {
  const int64_t us = wall_micros();
  const time_t secs = us / 1'000'000;
  tm utc{};
  gmtime_r(&secs, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, (us / 1000) % 1000);
}

// A JSON string body: quotes, backslashes and control bytes escaped. Other bytes pass through,
// so a collector gets the message as the server had it.
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string json_line(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  std::string out = "{\"time\":\"" + timestamp() + "\",\"level\":\"";
  out += kNames[static_cast<size_t>(level)];
  out += "\",\"message\":";
  append_json_string(out, message);
  out += ",\"fields\":{";
  bool first = true;
  for (const LogField& f : fields) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, f.key);
    out += ':';
    if (f.number) {
      out += f.value;
    } else {
      append_json_string(out, f.value);
    }
  }
  out += "}}\n";
  return out;
}

std::string text_line(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  std::string out = fmt::format("{} {:5} {}", timestamp(), kNames[static_cast<size_t>(level)], message);
  for (const LogField& f : fields) fmt::format_to(std::back_inserter(out), " {}={}", f.key, f.value);
  out += '\n';
  return out;
}
}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

std::string_view log_level_name(LogLevel level) { return kNames[static_cast<size_t>(level)]; }

void set_log_level(LogLevel level) { g_level.store(level, std::memory_order_relaxed); }
void set_log_format(LogFormat format) { g_format.store(format, std::memory_order_relaxed); }

bool log_enabled(LogLevel level) {
  return level != LogLevel::off && level >= g_level.load(std::memory_order_relaxed);
}

void log_fields(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (!log_enabled(level)) return;
  const bool json = g_format.load(std::memory_order_relaxed) == LogFormat::json;
  LogWriter::instance().push(json ? json_line(level, message, fields) : text_line(level, message, fields));
}

void log_line(LogLevel level, std::string_view message) { log_fields(level, message, {}); }

bool set_log_file(const std::string& path, std::string& error) {
  return LogWriter::instance().set_file(path, error);
}
uint64_t log_lines_dropped() { return LogWriter::instance().dropped(); }
bool flush_log(int timeout_ms) { return LogWriter::instance().flush(timeout_ms); }

}  // namespace levelcast
