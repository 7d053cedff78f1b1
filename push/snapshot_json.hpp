#pragma once
// The JSON text of a snapshot, as documented in README:
// {"topic":"synth","seq":1,"ts":1763712000123456,"rate":50,"channels":[{"rms":-23.1,"peak":-17.9}]}
// plus "peak_hold", "loudness" and "bands" when the topic measures them. Levels with one decimal;
// digital silence (and a loudness not measurable yet) as null. Events:
// {"topic":"mic","event":"ended"}, {"topic":"mic","event":"loudness-reset"} and
// {"topic":"mic","event":"missed","count":12}. Pure; safe from any thread.
#include <string>

#include "push/snapshot.hpp"

namespace levelcast {

void append_snapshot_json(std::string& out, const Snapshot& snapshot);
void append_event_json(std::string& out, std::string_view topic, std::string_view event);
void append_missed_json(std::string& out, std::string_view topic, uint64_t count);
// A line of a lines topic for ?format=json: {"seq":12,"line":"..."}; `line` must be UTF-8.
void append_line_json(std::string& out, uint64_t seq, std::string_view line);

}  // namespace levelcast
