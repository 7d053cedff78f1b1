#include "push/snapshot_binary.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace levelcast {
namespace {
template <typename T>
void put(std::string& out, T value) {
  // x86-64 and every target we build for are little-endian: the bytes go out as they are.
  static_assert(std::endian::native == std::endian::little);
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

bool has_peak_hold(const Snapshot& s) {
  return !s.channels.empty() && !std::isnan(s.channels[0].peak_hold_db);
}

bool has_range_or_maxima(const Snapshot& s) {
  const Loudness& l = s.loudness;
  return s.has_loudness && !(std::isnan(l.range) && std::isnan(l.max_momentary) && std::isnan(l.max_short_term));
}
}  // namespace

int16_t to_centi_db(double db) {
  if (!std::isfinite(db)) return kBinaryNull;
  const double centi = std::round(db * 100.0);
  return static_cast<int16_t>(std::clamp(centi, -32767.0, 32767.0));
}

void append_snapshot_binary(std::string& out, const Snapshot& s) {
  const bool hold = has_peak_hold(s);
  const bool range = has_range_or_maxima(s);
  const uint8_t flags = static_cast<uint8_t>((s.has_loudness ? 1 : 0) | (s.bands_db.empty() ? 0 : 2) |
                                             (hold ? 4 : 0) | (range ? 8 : 0));
  put<uint8_t>(out, kBinaryVersion);
  put<uint8_t>(out, flags);
  put<uint16_t>(out, static_cast<uint16_t>(s.channels.size()));
  put<uint16_t>(out, static_cast<uint16_t>(s.bands_db.size()));
  put<uint16_t>(out, 0);
  put<uint64_t>(out, s.seq);
  put<int64_t>(out, s.ts_micros);
  put<float>(out, static_cast<float>(s.rate));
  for (const ChannelLevel& level : s.channels) {
    put(out, to_centi_db(level.rms_db));
    put(out, to_centi_db(level.peak_db));
    if (hold) put(out, to_centi_db(level.peak_hold_db));
  }
  if (s.has_loudness) {
    for (double v : {s.loudness.momentary, s.loudness.short_term, s.loudness.integrated,
                     s.loudness.true_peak}) {
      put(out, to_centi_db(v));
    }
  }
  for (double band : s.bands_db) put(out, to_centi_db(band));
  // Last, so that a decoder that predates flag 8 reads everything else where it was.
  if (range) {
    for (double v : {s.loudness.range, s.loudness.max_momentary, s.loudness.max_short_term}) {
      put(out, to_centi_db(v));
    }
  }
}

}  // namespace levelcast
