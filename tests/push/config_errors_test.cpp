#include "push/config_errors.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace levelcast {
namespace {

TEST(ConfigErrors, FindsTheKeyCli11Names) {
  EXPECT_EQ(key_of_option_error("--rate: Value 0 not in range 0.1 to 10000"), "rate");
  EXPECT_EQ(key_of_option_error("INI was not able to parse bogus"), "bogus");
  EXPECT_EQ(key_of_option_error("INI was not able to parse table.++"), "table");
  EXPECT_EQ(key_of_option_error("something else"), "");
}

TEST(ConfigErrors, FindsTheLineThatSetsAKey) {
  const std::string text = "# rate = 1\nport = 1\n\n  rate=0\n[table]\n\"quoted\" = 2\n";
  EXPECT_EQ(config_line_of(text, "port"), 2u);
  EXPECT_EQ(config_line_of(text, "rate"), 4u);  // not the comment
  EXPECT_EQ(config_line_of(text, "table"), 5u);
  EXPECT_EQ(config_line_of(text, "quoted"), 6u);
  EXPECT_EQ(config_line_of(text, "por"), 0u);  // a prefix is not the key
  EXPECT_EQ(config_line_of(text, "missing"), 0u);
}

TEST(ConfigErrors, NamesFileLineAndKeyUnlessTheCommandLineSetIt) {
  const std::string path = testing::TempDir() + "/levelcast_config_errors.toml";
  std::ofstream(path) << "port = 0\nrate = 0\nbogus = 1\n";
  const std::vector<std::string> none;
  EXPECT_EQ(locate_config_error(path, "--rate: bad", none), path + ":2: key 'rate': --rate: bad");
  EXPECT_EQ(locate_config_error(path, "INI was not able to parse bogus", none),
            path + ":3: key 'bogus': unknown key (see levelcast --help)");
  const std::vector<std::string> given{"--rate", "0"};
  EXPECT_EQ(locate_config_error(path, "--rate: bad", given), "--rate: bad");
  EXPECT_EQ(locate_config_error("", "--rate: bad", none), "--rate: bad");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace levelcast
