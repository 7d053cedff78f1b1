#include "net/utf8.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace levelcast {
namespace {

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Utf8, AcceptsValidText) {
  for (const std::string& s : std::vector<std::string>{"", "plain ascii", "κόσμε", "\xF0\x9F\x8E\xB5 music",
                              "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF", std::string(100, 'a') + "é"}) {
    EXPECT_TRUE(is_valid_utf8(bytes(s))) << s;
  }
}

TEST(Utf8, RejectsInvalidSequences) {
  for (const std::string& s : std::vector<std::string>{"\xC0\xAF", "\xE0\x80\xAF", "\xF0\x80\x80\xAF",  // overlong
                              "\xED\xA0\x80", "\xED\xBF\xBF",                  // surrogates
                              "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",          // > U+10FFFF
                              "\x80", "\xFF", "\xC2", "\xE2\x82",              // stray, truncated
                              std::string(40, 'a') + "\xFE"}) {
    EXPECT_FALSE(is_valid_utf8(bytes(s))) << testing::PrintToString(s);
  }
}

TEST(Utf8, FailsFastAndAcrossFragments) {
  Utf8Validator v;
  EXPECT_TRUE(v.feed(bytes("ab\xE2")));
  EXPECT_FALSE(v.at_boundary());
  EXPECT_TRUE(v.feed(bytes("\x82")));
  EXPECT_TRUE(v.feed(bytes("\xAC")));
  EXPECT_TRUE(v.at_boundary());
  // The second byte already rules out any valid string: no need to wait for the third.
  EXPECT_FALSE(v.feed(bytes("\xED\xA0")));
  EXPECT_FALSE(v.feed(bytes("a")));  // stays failed
}

TEST(Utf8, EverySplitOfAValidStringIsValid) {
  const std::string text = "mixed ascii and \xF0\x9F\x8E\xB5 and \xCE\xBA\xE2\x82\xAC end";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    Utf8Validator v;
    ASSERT_TRUE(v.feed(bytes(text.substr(0, cut))));
    ASSERT_TRUE(v.feed(bytes(text.substr(cut))));
    EXPECT_TRUE(v.at_boundary());
  }
}

}  // namespace
}  // namespace levelcast
