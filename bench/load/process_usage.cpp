#include "process_usage.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace levelcast::load {
namespace {

double seconds(const timeval& tv) noexcept {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

double rusage_cpu_seconds(int who) noexcept {
  rusage usage{};
  if (::getrusage(who, &usage) != 0) return 0;
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::optional<std::string> read_small_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "re");
  if (file == nullptr) return std::nullopt;
  std::string text;
  char chunk[4096];
  std::size_t got = 0;
  while ((got = std::fread(chunk, 1, sizeof chunk, file)) > 0) text.append(chunk, got);
  std::fclose(file);
  return text;
}

// utime and stime are fields 14 and 15 of /proc/PID/stat; counting starts after the command
// name, which is in parentheses and may itself hold spaces or parentheses.
std::optional<double> cpu_seconds_from_stat(const std::string& stat) {
  const std::size_t name_end = stat.rfind(')');
  if (name_end == std::string::npos) return std::nullopt;
  std::string_view rest = std::string_view(stat).substr(name_end + 1);
  unsigned long long ticks[2] = {0, 0};
  for (int field = 3; field <= 15; ++field) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    const std::size_t token_end = std::min(rest.find(' '), rest.size());
    if (token_end == 0) return std::nullopt;
    if (field >= 14) {
      const std::string token(rest.substr(0, token_end));
      ticks[field - 14] = std::strtoull(token.c_str(), nullptr, 10);
    }
    rest.remove_prefix(token_end);
  }
  const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  return static_cast<double>(ticks[0] + ticks[1]) / static_cast<double>(ticks_per_second);
}

std::optional<std::uint64_t> resident_bytes_from_status(const std::string& status) {
  const std::size_t at = status.find("\nVmRSS:");
  if (at == std::string::npos) return std::nullopt;
  return std::strtoull(status.c_str() + at + 7, nullptr, 10) * 1024;
}

}  // namespace

double process_cpu_seconds() noexcept { return rusage_cpu_seconds(RUSAGE_SELF); }

double thread_cpu_seconds() noexcept { return rusage_cpu_seconds(RUSAGE_THREAD); }

std::optional<ProcessSample> sample_process(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  const auto stat = read_small_file(dir + "/stat");
  const auto status = read_small_file(dir + "/status");
  if (!stat || !status) return std::nullopt;
  const auto cpu = cpu_seconds_from_stat(*stat);
  const auto rss = resident_bytes_from_status(*status);
  if (!cpu || !rss) return std::nullopt;
  return ProcessSample{*cpu, *rss};
}

}  // namespace levelcast::load
