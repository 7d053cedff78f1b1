#include "push/snapshot_json.hpp"

#include <fmt/format.h>

#include <cmath>

namespace levelcast {
namespace {
void append_level(std::string& out, double db) {
  if (!std::isfinite(db)) {
    out.append("null");
    return;
  }
  double rounded = std::round(db * 10.0) / 10.0;
  if (rounded == 0.0) rounded = 0.0;  // no "-0.0"
  fmt::format_to(std::back_inserter(out), "{:.1f}", rounded);
}
}  // namespace

void append_snapshot_json(std::string& out, const Snapshot& s) {
  fmt::format_to(std::back_inserter(out), R"({{"topic":"{}","seq":{},"ts":{},"rate":{},"channels":[)",
                 s.topic, s.seq, s.ts_micros, s.rate);
  for (size_t i = 0; i < s.channels.size(); ++i) {
    out.append(i == 0 ? R"({"rms":)" : R"(,{"rms":)");
    append_level(out, s.channels[i].rms_db);
    out.append(R"(,"peak":)");
    append_level(out, s.channels[i].peak_db);
    out.push_back('}');
  }
  out.append("]}");
}

}  // namespace levelcast
