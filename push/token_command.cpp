#include "push/token_command.hpp"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "push/auth/jwt_keys.hpp"
#include "push/auth/jwt_signer.hpp"

namespace levelcast {
namespace {
std::vector<std::string> split_topics(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start) out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}
}  // namespace

int run_token_command(int argc, char** argv) {
  CLI::App app("levelcast token: prints an HS256 token for --auth-hmac-secret-file", "levelcast token");
  std::string secret_file, topics;
  TokenRequest request;
  app.add_option("--secret-file", secret_file, "The server's --auth-hmac-secret-file")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--topics", topics, "Topics the bearer may subscribe to: names or globs, comma-separated")
      ->required();
  app.add_option("--ttl", request.ttl_s, "Seconds until the token expires")
      ->check(CLI::Range(int64_t{1}, int64_t{10} * 365 * 86400))
      ->capture_default_str();
  app.add_option("--sub", request.subject, "Who the token is for (the sub claim)");
  app.add_option("--aud", request.audience, "The aud claim (the server's --auth-audience)");
  try {
    app.parse(argc - 1, argv + 1);
  } catch (const CLI::CallForHelp&) {
    fmt::print("{}", app.help());
    return 0;
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    std::replace(message.begin(), message.end(), '\n', ' ');
    fmt::print(stderr, "levelcast token: {}\n", message);
    return 2;
  }
  JwtKeys keys;
  std::string error;
  if (!keys.load_hmac_secret_file(secret_file, error)) {
    fmt::print(stderr, "levelcast token: --secret-file: {}\n", error);
    return 2;
  }
  request.topics = split_topics(topics);
  const std::string token =
      mint_hs256_token(keys.all().front().secret, request, wall_micros() / 1'000'000);
  if (token.empty()) {
    fmt::print(stderr, "levelcast token: signing failed\n");
    return 1;
  }
  fmt::print("{}\n", token);
  return 0;
}

}  // namespace levelcast
