#pragma once
// Reads the two fields fanout mode measures, the sequence number and the send time, from a
// snapshot payload without parsing the rest. One probe per payload format; the worker picks it
// by the frame's opcode (text: JSON; binary: levelcast's binary snapshot).
// Pure functions; safe from any thread.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace levelcast::load {

struct SnapshotStamp {
  std::int64_t seq = -1;    // -1: absent
  std::int64_t ts_us = -1;  // CLOCK_REALTIME microseconds at the server; -1: absent
};

namespace detail {

// The non-negative integer after `"key":` (whitespace allowed around the colon) at or after
// `from`, or -1; `end` is set past its last digit.
inline std::int64_t integer_after_key(std::string_view json, std::string_view quoted_key,
                                      std::size_t from, std::size_t& end) noexcept {
  const std::size_t at = json.find(quoted_key, from);
  if (at == std::string_view::npos) return -1;
  std::size_t i = at + quoted_key.size();
  const auto skip_spaces = [&] {
    while (i < json.size() && (json[i] == ' ' || json[i] == '\t')) ++i;
  };
  skip_spaces();
  if (i == json.size() || json[i] != ':') return -1;
  ++i;
  skip_spaces();
  std::int64_t value = 0;
  const std::size_t first_digit = i;
  // 18 digits cannot overflow; the ts field has 16.
  while (i < json.size() && i - first_digit < 18 && json[i] >= '0' && json[i] <= '9') {
    value = value * 10 + (json[i] - '0');
    ++i;
  }
  end = i;
  return i == first_digit ? -1 : value;
}

}  // namespace detail

// A JSON text snapshot such as {"topic":"synth","seq":12,"ts":1700000000000000,...}.
// Returns false when neither field is there.
inline bool probe_json_snapshot(std::string_view json, SnapshotStamp& stamp) noexcept {
  std::size_t after_seq = 0;
  stamp.seq = detail::integer_after_key(json, "\"seq\"", 0, after_seq);
  // Producers put ts after seq; looking there first halves the scanning.
  std::size_t after_ts = 0;
  stamp.ts_us = detail::integer_after_key(json, "\"ts\"", after_seq, after_ts);
  if (stamp.ts_us < 0 && after_seq != 0)
    stamp.ts_us = detail::integer_after_key(json, "\"ts\"", 0, after_ts);
  return stamp.seq >= 0 || stamp.ts_us >= 0;
}

// levelcast's binary snapshot (README, "Binary format"): little-endian, version byte 1, seq as
// u64 at offset 8, ts as i64 at offset 16, a 28-byte fixed part before the channels.
inline constexpr std::size_t kBinarySnapshotFixedSize = 28;

inline bool probe_binary_snapshot(std::string_view payload, SnapshotStamp& stamp) noexcept {
  stamp = {};
  if (payload.size() < kBinarySnapshotFixedSize || payload[0] != 1) return false;
  const auto little_endian = [&](std::size_t offset) {
    std::uint64_t value = 0;
    for (std::size_t i = 8; i-- > 0;)
      value = (value << 8) | static_cast<std::uint8_t>(payload[offset + i]);
    return value;
  };
  stamp.seq = static_cast<std::int64_t>(little_endian(8) & 0x7FFF'FFFF'FFFF'FFFFu);
  stamp.ts_us = static_cast<std::int64_t>(little_endian(16));
  return true;
}

}  // namespace levelcast::load
