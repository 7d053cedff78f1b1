#include "push/audio/open_audio_source.hpp"

#include <fmt/format.h>

#include "push/audio/source_kinds.hpp"

namespace levelcast {

std::unique_ptr<AudioSource> open_audio_source(const SourceSpec& spec, bool realtime, std::string& error) {
  const SourceKindRow& row = source_kind(spec.kind);
  std::string reason = fmt::format("{} is a text source, not audio", row.name);
  auto source = row.open_audio != nullptr ? row.open_audio(spec, realtime, reason) : nullptr;
  if (source == nullptr) error = fmt::format("source '{}': {}", spec.name, reason);
  return source;
}

std::string audio_components() {
  std::string out;
  for (const SourceKindRow& row : source_kinds()) {
    if (!row.optional || !row.built) continue;
    if (!out.empty()) out += ' ';
    out += row.name;
  }
  return out;
}

}  // namespace levelcast
