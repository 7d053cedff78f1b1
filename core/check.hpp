#pragma once
// LC_CHECK: a broken invariant aborts with file and line, in every build type.
#include <cstdio>
#include <cstdlib>

namespace levelcast {
[[noreturn]] inline void check_failed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "levelcast: invariant broken: %s at %s:%d\n", expr, file, line);
  std::abort();
}
}  // namespace levelcast

#define LC_CHECK(expr) \
  ((expr) ? static_cast<void>(0) : ::levelcast::check_failed(#expr, __FILE__, __LINE__))
