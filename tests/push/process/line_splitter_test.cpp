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

// A valid 5,001-byte line of euro signs (3 bytes each) once vanished: cut at byte 4,096, inside a
// character, neither piece was UTF-8.
TEST(LineSplitter, CutsOnlyAtCharacterBoundaries) {
  const std::string euro = "\xE2\x82\xAC";
  std::string line;
  for (int i = 0; i < 1667; ++i) line += euro;
  for (const size_t piece : {size_t{1}, size_t{7}, size_t{4096}, line.size() + 1}) {
    SCOPED_TRACE(piece);
    LineSplitter splitter;
    std::vector<std::string> lines;
    const std::string input = line + "\n";
    for (size_t at = 0; at < input.size(); at += piece)
      splitter.feed(std::string_view(input).substr(at, piece), [&](std::string_view l) { lines.emplace_back(l); });
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].size(), 4095u);  // 1,365 characters; the 1,366th would end at byte 4,098
    EXPECT_EQ(lines[0] + lines[1], line);
  }
}

// Found by the fuzzer: a line of exactly max_line bytes whose '\n' came in the next read was
// passed on as the line and then an empty one.
TEST(LineSplitter, ALineOfExactlyTheLimitIsOneLineHoweverItArrives) {
  LineSplitter splitter(8);
  std::vector<std::string> lines;
  const auto collect = [&](std::string_view l) { lines.emplace_back(l); };
  splitter.feed("abcdefg\r", collect);
  splitter.feed("\nnext", collect);
  splitter.flush(collect);
  EXPECT_EQ(lines, (std::vector<std::string>{"abcdefg", "next"}));
}

TEST(LineSplitter, TheLimitIsAnOptionAndTextThatIsNotUtf8IsCutAtIt) {
  LineSplitter splitter(8);
  std::vector<std::string> lines;
  const auto collect = [&](std::string_view l) { lines.emplace_back(l); };
  splitter.feed("abcdefg\xC3\xA9h\n", collect);  // "é" would straddle byte 8
  splitter.feed(std::string(10, '\x80') + "\n", collect);
  EXPECT_EQ(lines, (std::vector<std::string>{"abcdefg", "\xC3\xA9h", std::string(8, '\x80'), std::string(2, '\x80')}));
  EXPECT_EQ(LineSplitter(1).max_line(), LineSplitter::kMinMaxLine);
}

}  // namespace
}  // namespace levelcast
