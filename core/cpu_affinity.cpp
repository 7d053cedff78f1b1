#include "core/cpu_affinity.hpp"

#include <pthread.h>
#include <sched.h>

#include <charconv>
#include <cstring>

namespace levelcast {
namespace {
bool parse_int(std::string_view s, int& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size() && out >= 0 && out < CPU_SETSIZE;
}
}  // namespace

std::optional<std::vector<int>> parse_cpu_list(std::string_view text) {
  std::vector<int> cpus;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    const size_t dash = item.find('-');
    int first = 0;
    int last = 0;
    if (!parse_int(item.substr(0, dash), first)) return std::nullopt;
    last = first;
    if (dash != std::string_view::npos && (!parse_int(item.substr(dash + 1), last) || last < first)) {
      return std::nullopt;
    }
    for (int cpu = first; cpu <= last; ++cpu) cpus.push_back(cpu);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    if (text.empty()) return std::nullopt;  // trailing comma
  }
  if (cpus.empty()) return std::nullopt;
  return cpus;
}

bool pin_current_thread(int cpu) {
  if (cpu < 0) return true;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof(set), &set) == 0;
}

void name_current_thread(const char* name) {
  char shortened[16] = {};
  std::strncpy(shortened, name, sizeof(shortened) - 1);
  pthread_setname_np(pthread_self(), shortened);
}

}  // namespace levelcast
