#include "push/audio/source_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <vector>

#include "push/audio/source_kinds.hpp"

namespace levelcast {
namespace {

bool is_known_key(std::string_view key) { return find_source_key(key) != nullptr; }

// "a, b or c" from the names of a table.
template <typename Rows>
std::string names_of(const Rows& rows, std::string_view last_joiner) {
  std::string out;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out += i + 1 == rows.size() ? last_joiner : ", ";
    out += rows[i].name;
  }
  return out;
}

struct OptionItem {
  std::string_view key;
  std::string_view value;
};

// Splits "k=v,k=v" into items; nullopt when an item is not key=value (empty key or no '=').
std::optional<std::vector<OptionItem>> split_items(std::string_view segment) {
  std::vector<OptionItem> items;
  while (true) {
    const size_t comma = segment.find(',');
    const std::string_view item = segment.substr(0, comma);
    const size_t eq = item.find('=');
    if (eq == 0 || eq == std::string_view::npos) return std::nullopt;
    items.push_back({item.substr(0, eq), item.substr(eq + 1)});
    if (comma == std::string_view::npos) return items;
    segment.remove_prefix(comma + 1);
  }
}

bool all_keys_known(const std::vector<OptionItem>& items) {
  return std::all_of(items.begin(), items.end(), [](const OptionItem& i) { return is_known_key(i.key); });
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::optional<int> parse_int(std::string_view text, int min, int max) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) return std::nullopt;
  return value;
}

std::optional<bool> parse_flag(std::string_view text) {
  if (text == "0") return false;
  if (text == "1") return true;
  return std::nullopt;
}

std::optional<LoudnessModes> parse_loudness(std::string_view text) {
  LoudnessModes modes;
  for (const char c : text) {
    bool* mode = c == 'm'   ? &modes.momentary
                 : c == 's' ? &modes.short_term
                 : c == 'i' ? &modes.integrated
                 : c == 'l' ? &modes.range
                 : c == 'x' ? &modes.maxima
                            : nullptr;
    if (mode == nullptr || *mode) return std::nullopt;
    *mode = true;
  }
  if (!modes.any()) return std::nullopt;
  return modes;
}

bool key_applies(std::string_view key, SourceKind kind) {
  const SourceKey* known = find_source_key(key);
  return known != nullptr && (source_kind(kind).keys & known->bit) != 0;
}

// Applies one known key; returns the reason when the value is bad.
std::string apply_option(SourceSpec& spec, std::string_view key, std::string_view value) {
  if (key == "format") {
    if (value == "s16le") spec.format = SampleFormat::s16le;
    else if (value == "s32le") spec.format = SampleFormat::s32le;
    else if (value == "f32le") spec.format = SampleFormat::f32le;
    else return "format must be s16le, s32le or f32le";
  } else if (key == "rate") {
    const auto rate = parse_int(value, kMinSampleRate, kMaxSampleRate);
    if (!rate) return fmt::format("rate must be an integer from {} to {}", kMinSampleRate, kMaxSampleRate);
    spec.sample_rate = *rate;
  } else if (key == "channels") {
    const auto channels = parse_int(value, 1, kMaxChannels);
    if (!channels) return fmt::format("channels must be an integer from 1 to {}", kMaxChannels);
    spec.channels = *channels;
  } else if (key == "loop" || key == "truepeak") {
    const auto flag = parse_flag(value);
    if (!flag) return fmt::format("{} must be 0 or 1", key);
    (key == "loop" ? spec.loop : spec.meter.true_peak) = *flag;
  } else if (key == "restart") {
    if (value == "always") spec.restart = RestartPolicy::always;
    else if (value == "never") spec.restart = RestartPolicy::never;
    else return "restart must be always or never";
  } else if (key == "loudness") {
    const auto modes = parse_loudness(value);
    if (!modes) return "loudness must combine m, s, i, l and x (momentary, short-term, integrated, range, "
             "maxima), e.g. ms";
    spec.meter.loudness = *modes;
  } else if (key == "bands") {
    if (value == "octave") spec.meter.bands = BandLayout::octave;
    else if (value == "third") spec.meter.bands = BandLayout::third;
    else if (const auto count = parse_int(value, 1, kMaxBandCount)) {
      spec.meter.bands = BandLayout::log_spaced;
      spec.meter.band_count = *count;
    } else return fmt::format("bands must be octave, third or a number from 1 to {}", kMaxBandCount);
  } else if (key == "max_line") {
    const auto bytes = parse_int(value, kMinLineLimit, kMaxLineLimit);
    if (!bytes) return fmt::format("max_line must be bytes from {} to {}", kMinLineLimit, kMaxLineLimit);
    spec.max_line = static_cast<size_t>(*bytes);
  } else if (key == "peakhold") {
    double seconds = -1;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc{} || end != value.data() + value.size() || !(seconds >= 0) || seconds > kMaxPeakHoldSeconds)
      return fmt::format("peakhold must be seconds from 0 to {}", kMaxPeakHoldSeconds);
    spec.meter.peak_hold_seconds = seconds;
  }
  return {};
}

std::string apply_options(SourceSpec& spec, const std::vector<OptionItem>& items) {
  std::vector<std::string_view> seen;
  for (const OptionItem& item : items) {
    if (std::find(seen.begin(), seen.end(), item.key) != seen.end())
      return fmt::format("option {} given twice", item.key);
    seen.push_back(item.key);
    if (!key_applies(item.key, spec.kind)) {
      const SourceKindRow& row = source_kind(spec.kind);
      return fmt::format("{} does not apply to {} sources{}", item.key, row.name, row.keys_note);
    }
    std::string reason = apply_option(spec, item.key, item.value);
    if (!reason.empty()) return reason;
  }
  return {};
}

// Splits what follows "KIND:" into ARG and the options segment, which is the last ':'-separated
// part (or all of it) when every item in it is key=value with a known key.
std::string_view split_options(std::string_view rest, std::vector<OptionItem>& items) {
  const size_t colon = rest.rfind(':');
  const std::string_view tail = colon == std::string_view::npos ? rest : rest.substr(colon + 1);
  auto parsed = split_items(tail);
  if (!parsed || !all_keys_known(*parsed)) return rest;
  items = std::move(*parsed);
  return colon == std::string_view::npos ? std::string_view{} : rest.substr(0, colon);
}

// Where ARG cannot contain "k=v" text, a last segment shaped like options with an unknown key is
// far more likely a typo than part of a path.
std::string check_unknown_key(const SourceSpec& spec) {
  if (!source_kind(spec.kind).arg_is_path) return {};
  const size_t colon = spec.arg.rfind(':');
  const auto items = split_items(colon == std::string::npos ? std::string_view(spec.arg)
                                                           : std::string_view(spec.arg).substr(colon + 1));
  if (!items) return {};
  for (const OptionItem& item : *items)
    if (!is_known_key(item.key))
      return fmt::format("unknown option '{}' (known: {})", item.key, names_of(source_keys(), ", "));
  return {};
}

std::string check_arg(const SourceSpec& spec) {
  if (std::string reason = check_unknown_key(spec); !reason.empty()) return reason;
  const SourceKindRow& row = source_kind(spec.kind);
  if (row.arg_help.empty() && !spec.arg.empty())
    return fmt::format("{} takes no argument, got '{}'", row.name, spec.arg);
  if (!row.arg_help.empty() && spec.arg.empty()) return fmt::format("{} needs {}", row.name, row.arg_help);
  return {};
}

std::string parse_into(SourceSpec& spec, std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos) return "expected NAME=KIND:ARG[:OPTIONS]";
  if (!valid_name(spec.name)) return "the name must be 1 to 64 of A-Z a-z 0-9 _ -";
  const std::string_view body = text.substr(eq + 1);
  const size_t colon = body.find(':');
  const std::string_view kind_text = body.substr(0, colon);
  const SourceKindRow* kind = find_source_kind(kind_text);
  if (kind == nullptr) return fmt::format("unknown kind '{}' ({})", kind_text, names_of(source_kinds(), " or "));
  spec.kind = kind->kind;
  std::vector<OptionItem> items;
  const std::string_view rest = colon == std::string_view::npos ? std::string_view{} : body.substr(colon + 1);
  spec.arg = std::string(split_options(rest, items));
  if (std::string reason = check_arg(spec); !reason.empty()) return reason;
  return apply_options(spec, items);
}

}  // namespace

std::string_view kind_name(SourceKind kind) { return source_kind(kind).name; }

SourceSpec parse_source_spec(std::string_view text, std::string& error) {
  SourceSpec spec;
  spec.name = std::string(text.substr(0, text.find('=')));
  std::string reason = parse_into(spec, text);
  if (reason.empty()) {
    error.clear();
    return spec;
  }
  error = fmt::format("source '{}': {}", spec.name, reason);
  return SourceSpec{};
}

}  // namespace levelcast
