#pragma once
// The JSON text of a snapshot, as documented in README:
// {"topic":"synth","seq":1,"ts":1763712000123456,"rate":50,"channels":[{"rms":-23.1,"peak":-17.9}]}
// Levels with one decimal; digital silence as null. Pure; safe from any thread.
#include <string>

#include "push/snapshot.hpp"

namespace levelcast {

void append_snapshot_json(std::string& out, const Snapshot& snapshot);

}  // namespace levelcast
