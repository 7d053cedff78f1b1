#include "push/snapshot_json.hpp"

#include <fmt/format.h>
#include <jansson.h>

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

// A measured field: "name":value; a field the topic does not measure (NaN) is left out.
void append_field(std::string& out, std::string_view name, double db, bool& first) {
  if (std::isnan(db)) return;
  out.append(first ? "\"" : ",\"").append(name).append("\":");
  append_level(out, db);
  first = false;
}

void append_loudness(std::string& out, const Loudness& l) {
  out.append(R"(,"loudness":{)");
  bool first = true;
  append_field(out, "momentary", l.momentary, first);
  append_field(out, "short_term", l.short_term, first);
  append_field(out, "integrated", l.integrated, first);
  append_field(out, "true_peak", l.true_peak, first);
  append_field(out, "range", l.range, first);
  append_field(out, "max_momentary", l.max_momentary, first);
  append_field(out, "max_short_term", l.max_short_term, first);
  out.push_back('}');
}

void append_bands(std::string& out, const std::vector<double>& bands) {
  out.append(R"(,"bands":[)");
  for (size_t i = 0; i < bands.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_level(out, bands[i]);
  }
  out.push_back(']');
}
}  // namespace

void append_snapshot_json(std::string& out, const Snapshot& s) {
  fmt::format_to(std::back_inserter(out), R"({{"topic":"{}","seq":{},"ts":{},"rate":{},"channels":[)",
                 s.topic, s.seq, s.ts_micros, s.rate);
  for (size_t i = 0; i < s.channels.size(); ++i) {
    out.append(i == 0 ? "{" : ",{");
    bool first = true;
    append_field(out, "rms", s.channels[i].rms_db, first);
    append_field(out, "peak", s.channels[i].peak_db, first);
    append_field(out, "peak_hold", s.channels[i].peak_hold_db, first);
    out.push_back('}');
  }
  out.push_back(']');
  if (s.has_loudness) append_loudness(out, s.loudness);
  if (!s.bands_db.empty()) append_bands(out, s.bands_db);
  out.push_back('}');
}

void append_event_json(std::string& out, std::string_view topic, std::string_view event) {
  fmt::format_to(std::back_inserter(out), R"({{"topic":"{}","event":"{}"}})", topic, event);
}

// Jansson writes the line as a JSON string (escapes, control characters); the line is UTF-8
// already, checked by the caller.
void append_line_json(std::string& out, uint64_t seq, std::string_view line) {
  json_t* object = json_object();
  json_object_set_new_nocheck(object, "seq", json_integer(static_cast<json_int_t>(seq)));
  json_object_set_new_nocheck(object, "line", json_stringn_nocheck(line.data(), line.size()));
  const auto append = [](const char* bytes, size_t size, void* target) {
    static_cast<std::string*>(target)->append(bytes, size);
    return 0;
  };
  json_dump_callback(object, append, &out, JSON_COMPACT);
  json_decref(object);
}

void append_missed_json(std::string& out, std::string_view topic, uint64_t count) {
  fmt::format_to(std::back_inserter(out), R"({{"topic":"{}","event":"missed","count":{}}})", topic,
                 count);
}

}  // namespace levelcast
