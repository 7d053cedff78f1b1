#pragma once
// Counts heap allocations made through operator new in this process (the benchmark binary
// replaces the global operator new), so a benchmark can report allocations per operation.
#include <cstdint>

namespace levelcast::bench {

uint64_t allocations();

}  // namespace levelcast::bench
