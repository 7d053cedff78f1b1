// Fuzzes the --config file path: CLI11's TOML reader with levelcast's own option definitions
// and checks (check_config_text), and the error locator that names the file's line and key
// (push/config_errors).
//
// Input: the TOML text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "push/config_errors.hpp"
#include "push/options.hpp"
#include "tests/fuzz/invariant.hpp"

using levelcast::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // Whatever the text, the answer is an error line or a configuration, never a crash or an
  // exception escaping.
  const auto error = levelcast::check_config_text(text);
  if (error) {
    require(error->find('\n') == std::string::npos, "an error of more than one line");
    const std::string key = levelcast::key_of_option_error(*error);
    const size_t line = levelcast::config_line_of(text, key);
    size_t lines = 1;
    for (char c : text) lines += c == '\n' ? 1 : 0;
    require(line <= lines, "config_line_of() past the last line");
  }
  return 0;
}
