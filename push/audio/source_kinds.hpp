#pragma once
// The source kinds, one row each: what `--source NAME=KIND:ARG[:OPTIONS]` accepts for the kind
// (its ARG, its option keys) and how it is opened. A new kind is one row here plus its source
// class; the spec parser, --version and the server read this table and name no kind.
//
// Immutable: safe from any thread.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "push/audio/audio_source.hpp"
#include "push/audio/source_spec.hpp"
#include "push/process/command_stream.hpp"

namespace levelcast {

// One option key of the OPTIONS segment; `bit` marks it in SourceKindRow::keys.
struct SourceKey {
  std::string_view name;
  uint32_t bit;
};
std::span<const SourceKey> source_keys();
const SourceKey* find_source_key(std::string_view name);

struct SourceKindRow {
  SourceKind kind;
  std::string_view name;
  uint32_t keys;                // bits of the option keys the kind takes
  std::string_view arg_help;    // what ARG is ("a file path"); empty: the kind takes no ARG
  bool arg_is_path;             // ARG never holds "k=v": an unknown key there is a typo
  std::string_view keys_note;   // said when a key does not apply
  bool optional;                // built only when its library is installed (--version names it)
  bool built;                   // compiled into this build
  // Exactly one opener is set: audio kinds are measured by a Producer, text kinds (a line per
  // message) are sent by a LinesProducer. Start-up only; nullptr with `error` on failure.
  std::unique_ptr<AudioSource> (*open_audio)(const SourceSpec& spec, bool realtime, std::string& error);
  std::unique_ptr<CommandStream> (*open_text)(const SourceSpec& spec, std::string& error);
};

std::span<const SourceKindRow> source_kinds();
const SourceKindRow& source_kind(SourceKind kind);
const SourceKindRow* find_source_kind(std::string_view name);

}  // namespace levelcast
