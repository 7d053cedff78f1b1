#pragma once
// Test signals and scratch files for the audio tests: generated here, nothing downloaded.
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

namespace levelcast::test {

// `frames` frames of a sine of peak `amplitude` (1.0 = full scale), the same on every channel.
inline std::vector<float> sine(double amplitude, double frequency, int rate, int frames, int channels,
                               double phase = 0.0) {
  std::vector<float> out(static_cast<size_t>(frames) * static_cast<size_t>(channels));
  for (int i = 0; i < frames; ++i) {
    const double v = amplitude * std::sin(2 * std::numbers::pi * frequency * i / rate + phase);
    for (int ch = 0; ch < channels; ++ch)
      out[static_cast<size_t>(i) * static_cast<size_t>(channels) + static_cast<size_t>(ch)] = static_cast<float>(v);
  }
  return out;
}

inline double db_to_amplitude(double db) { return std::pow(10.0, db / 20.0); }

// A directory under $TMPDIR (or /tmp) that is removed with everything in it.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/levelcast-test-XXXXXX";
    path_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace levelcast::test
