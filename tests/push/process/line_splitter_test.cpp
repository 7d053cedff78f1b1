#include "push/process/line_splitter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace levelcast {
namespace {

TEST(LineSplitter, JoinsPiecesAndSplitsLines) {
  LineSplitter splitter;
  std::vector<std::string> lines;
  const auto collect = [&](std::string_view line) { lines.emplace_back(line); };
  splitter.feed("frame= 1 fps", collect);
  splitter.feed("=25\r\nsecond\n\nthi", collect);
  EXPECT_EQ(lines, (std::vector<std::string>{"frame= 1 fps=25", "second", ""}));
  splitter.flush(collect);
  EXPECT_EQ(lines.back(), "thi");
  splitter.flush(collect);
  EXPECT_EQ(lines.size(), 4u);
}

TEST(LineSplitter, CutsOverlongLines) {
  LineSplitter splitter;
  std::vector<std::string> lines;
  splitter.feed(std::string(LineSplitter::kMaxLine + 10, 'x') + "\n", [&](std::string_view l) { lines.emplace_back(l); });
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].size(), LineSplitter::kMaxLine);
  EXPECT_EQ(lines[1].size(), 10u);
}

}  // namespace
}  // namespace levelcast
