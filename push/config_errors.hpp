#pragma once
// Where in a --config file an option error comes from. CLI11 reads the TOML file and names the
// option ("--rate: Value 0 not in range ...", "INI was not able to parse bogus") but not the
// file or the line; this finds the key's line so the operator is told "FILE:LINE: key 'rate':".
// Not a parser: it only looks for the line that sets the key CLI11 named.
//
// Threads: pure functions, any thread.
#include <span>
#include <string>
#include <string_view>

namespace levelcast {

// The option or key an error message is about: "rate" for "--rate: ...", "bogus" for CLI11's
// "INI was not able to parse bogus"; empty when the message names none.
std::string key_of_option_error(std::string_view message);

// 1-based line of `file_text` that sets `key` (`key = ...`, or a `[key]` table), 0 if none.
size_t config_line_of(std::string_view file_text, std::string_view key);

// `message` prefixed with "FILE:LINE: key 'KEY': " when it is about a key that the file sets
// and the command line (`args`) does not: the command line wins, so its errors are its own.
std::string locate_config_error(const std::string& file, std::string message,
                                std::span<const std::string> args);

}  // namespace levelcast
