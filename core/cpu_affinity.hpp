#pragma once
// Pinning threads to CPUs and parsing CPU lists ("0,2-3"). Safe from any thread.
#include <optional>
#include <string_view>
#include <vector>

namespace levelcast {

// Parses "0,2-3,5" into {0,2,3,5}; nullopt when malformed or empty.
std::optional<std::vector<int>> parse_cpu_list(std::string_view text);
// Pins the calling thread; false (and errno set) when the kernel refuses. cpu < 0 does nothing.
bool pin_current_thread(int cpu);
// Names the calling thread (shown by top -H and gdb); truncated to 15 characters.
void name_current_thread(const char* name);

}  // namespace levelcast
