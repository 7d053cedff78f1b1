#include "push/snapshot_json.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace levelcast {
namespace {

TEST(SnapshotJson, MatchesTheDocumentedSchema) {
  Snapshot s;
  s.topic = "synth";
  s.seq = 1234;
  s.ts_micros = 1763712000123456;
  s.rate = 50;
  s.channels = {{-23.14, -17.86}, {-30.4, -24.0}};
  std::string out;
  append_snapshot_json(out, s);
  EXPECT_EQ(out,
            R"({"topic":"synth","seq":1234,"ts":1763712000123456,"rate":50,)"
            R"("channels":[{"rms":-23.1,"peak":-17.9},{"rms":-30.4,"peak":-24.0}]})");
}

TEST(SnapshotJson, SilenceIsNullAndNoNegativeZero) {
  Snapshot s;
  s.topic = "t";
  s.seq = 1;
  s.rate = 12.5;
  const double silence = -std::numeric_limits<double>::infinity();
  s.channels = {{silence, -0.04}};
  std::string out;
  append_snapshot_json(out, s);
  EXPECT_EQ(out, R"({"topic":"t","seq":1,"ts":0,"rate":12.5,"channels":[{"rms":null,"peak":0.0}]})");
}

}  // namespace
}  // namespace levelcast
