#include "push/config_errors.hpp"

#include <fmt/core.h>

#include <fstream>
#include <sstream>

namespace levelcast {
namespace {
std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

bool given_on_command_line(std::span<const std::string> args, std::string_view key) {
  const std::string flag = "--" + std::string(key);
  for (const std::string& a : args) {
    if (a == flag || a.starts_with(flag + "=")) return true;
  }
  return false;
}
}  // namespace

std::string key_of_option_error(std::string_view message) {
  constexpr std::string_view kExtras = "INI was not able to parse ";
  if (message.starts_with(kExtras)) {
    std::string_view key = message.substr(kExtras.size());
    // A table CLI11 cannot place reads "table.++" or "table.key".
    if (const auto dot = key.find('.'); dot != std::string_view::npos) key = key.substr(0, dot);
    return std::string(trim(key));
  }
  if (message.starts_with("--")) {
    const auto colon = message.find(':');
    if (colon != std::string_view::npos) return std::string(message.substr(2, colon - 2));
  }
  return {};
}

size_t config_line_of(std::string_view file_text, std::string_view key) {
  if (key.empty()) return 0;
  size_t number = 0;
  size_t start = 0;
  while (start <= file_text.size()) {
    const size_t end = std::min(file_text.find('\n', start), file_text.size());
    ++number;
    std::string_view line = trim(file_text.substr(start, end - start));
    if (line.starts_with('"') || line.starts_with('\'')) line.remove_prefix(1);
    if (line.starts_with(key)) {
      const std::string_view rest = trim(line.substr(key.size()));
      if (rest.starts_with('=') || rest.starts_with("\"") || rest.starts_with("'")) return number;
    }
    if (line == fmt::format("[{}]", key)) return number;
    start = end + 1;
  }
  return 0;
}

std::string locate_config_error(const std::string& file, std::string message,
                                std::span<const std::string> args) {
  if (file.empty()) return message;
  const std::string key = key_of_option_error(message);
  if (key.empty() || given_on_command_line(args, key)) return message;
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  const size_t line = config_line_of(text.str(), key);
  if (line == 0) return message;
  if (message.starts_with("INI was not able to parse")) message = "unknown key (see levelcast --help)";
  return fmt::format("{}:{}: key '{}': {}", file, line, key, message);
}

}  // namespace levelcast
