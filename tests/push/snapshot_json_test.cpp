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

TEST(SnapshotJson, LoudnessRangeAndMaximaWhenMeasured) {
  Snapshot s;
  s.topic = "t";
  s.seq = 2;
  s.rate = 10;
  s.channels = {{-20.0, -17.0}};
  s.has_loudness = true;
  s.loudness.integrated = -23.04;
  s.loudness.range = -std::numeric_limits<double>::infinity();  // not measurable yet
  s.loudness.max_momentary = -19.96;
  s.loudness.max_short_term = -20.0;
  std::string out;
  append_snapshot_json(out, s);
  EXPECT_EQ(out, R"({"topic":"t","seq":2,"ts":0,"rate":10,"channels":[{"rms":-20.0,"peak":-17.0}],)"
                 R"("loudness":{"integrated":-23.0,"range":null,"max_momentary":-20.0,"max_short_term":-20.0}})");
}

TEST(SnapshotJson, LinesAreJsonStrings) {
  std::string out;
  append_line_json(out, 12, "say \"\xE2\x82\xAC\" \\ then\ttab\x01");
  EXPECT_EQ(out, R"({"seq":12,"line":"say \")" "\xE2\x82\xAC" R"(\" \\ then\ttab\u0001"})");
}

TEST(SnapshotJson, LoudnessResetEvent) {
  std::string out;
  append_event_json(out, "mic", "loudness-reset");
  EXPECT_EQ(out, R"({"topic":"mic","event":"loudness-reset"})");
}

}  // namespace
}  // namespace levelcast
