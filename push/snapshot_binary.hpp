#pragma once
// The compact binary snapshot (?format=binary), little-endian, documented in README:
//   0  u8  version = 1
//   1  u8  flags: 1 loudness present, 2 bands present, 4 peak hold present, 8 loudness range
//          and maxima present (with 1)
//   2  u16 channels C          4 u16 bands B          6 u16 reserved (0)
//   8  u64 seq                 16 i64 ts (µs since the Unix epoch)       24 f32 rate
//   28 C x { i16 rms, i16 peak [, i16 peak_hold] }               centi-dB, -32768 = null
//      [flag 1: i16 momentary, short_term, integrated, true_peak] centi-LU/dB, -32768 = null
//      B x i16 band levels                                         centi-dB
//      [flag 8: i16 range, max_momentary, max_short_term]          centi-LU/LUFS, -32768 = null
// Pure; safe from any thread.
#include <cstdint>
#include <string>

#include "push/snapshot.hpp"

namespace levelcast {

constexpr uint8_t kBinaryVersion = 1;
constexpr int16_t kBinaryNull = INT16_MIN;
constexpr size_t kBinaryHeaderBytes = 28;

void append_snapshot_binary(std::string& out, const Snapshot& snapshot);

// dB to centi-dB, clamped to int16; silence and unmeasured values become kBinaryNull.
int16_t to_centi_db(double db);

}  // namespace levelcast
