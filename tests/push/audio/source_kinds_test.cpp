#include "push/audio/source_kinds.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace levelcast {
namespace {

TEST(SourceKinds, RowsAreInKindOrderWithOneOpenerEach) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < source_kinds().size(); ++i) {
    const SourceKindRow& row = source_kinds()[i];
    EXPECT_EQ(static_cast<size_t>(row.kind), i);
    EXPECT_EQ(&source_kind(row.kind), &row);
    EXPECT_EQ(find_source_kind(row.name), &row);
    EXPECT_TRUE(names.insert(row.name).second) << row.name;
    EXPECT_NE(row.open_audio == nullptr, row.open_text == nullptr) << row.name;
    EXPECT_TRUE(row.built || row.optional) << row.name;
  }
  EXPECT_EQ(find_source_kind("mp3"), nullptr);
}

TEST(SourceKinds, KeysAreDistinctBits) {
  uint32_t seen = 0;
  for (const SourceKey& key : source_keys()) {
    EXPECT_EQ(key.bit & (key.bit - 1), 0u) << key.name;
    EXPECT_EQ(seen & key.bit, 0u) << key.name;
    seen |= key.bit;
    EXPECT_EQ(find_source_key(key.name), &key);
  }
  for (const SourceKindRow& row : source_kinds()) EXPECT_EQ(row.keys & ~seen, 0u) << row.name;
}

TEST(SourceKinds, TheTableDrivesParsing) {
  std::string error;
  for (const SourceKindRow& row : source_kinds()) {
    const std::string arg = row.arg_help.empty() ? "" : ":x";
    const SourceSpec spec = parse_source_spec("t=" + std::string(row.name) + arg, error);
    EXPECT_EQ(error, "") << row.name;
    EXPECT_EQ(spec.kind, row.kind);
  }
}

}  // namespace
}  // namespace levelcast
