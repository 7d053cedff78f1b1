#pragma once
// `levelcast token`: mints an HS256 token with the server's secret file, for operators and the
// README's example.
//   levelcast token --secret-file F --topics 'mic,cam*' --ttl 3600 [--sub NAME] [--aud AUD]
// Prints the token and a newline; a bad option: one line on stderr and exit 2.

namespace levelcast {

// argv[0] is the program and argv[1] "token".
int run_token_command(int argc, char** argv);

}  // namespace levelcast
