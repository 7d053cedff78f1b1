// Fuzzes push/audio/wav_header: any bytes as a file (in a memfd, read through the same pread
// calls as a real file). A header that is accepted describes audio inside the file, in whole
// frames of a supported format; one that is refused says why.
//
// Input: the file's bytes.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "push/audio/source_spec.hpp"
#include "push/audio/wav_header.hpp"
#include "tests/fuzz/invariant.hpp"

using levelcast::fuzz::require;

namespace {

// One memfd for the whole run, truncated and rewritten for each input.
int scratch_fd() {
  static const int fd = ::memfd_create("levelcast-wav-fuzz", MFD_CLOEXEC);
  require(fd >= 0, "memfd_create failed");
  return fd;
}

bool write_all(int fd, const uint8_t* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = scratch_fd();
  require(::ftruncate(fd, 0) == 0 && write_all(fd, data, size), "cannot write the memfd");
  levelcast::WavLayout layout;
  std::string reason;
  if (!levelcast::read_wav_header(fd, size, layout, reason)) {
    require(!reason.empty(), "a refused header gives no reason");
    return 0;
  }
  require(layout.channels >= 1 && layout.channels <= levelcast::kMaxChannels, "channels out of range");
  require(layout.sample_rate >= levelcast::kMinSampleRate && layout.sample_rate <= levelcast::kMaxSampleRate,
          "sample rate out of range");
  require(layout.frame_bytes == levelcast::bytes_per_sample(layout.format) * static_cast<uint64_t>(layout.channels),
          "frame size does not match the format");
  require(layout.data_bytes % layout.frame_bytes == 0, "data is not whole frames");
  require(layout.data_offset <= size && layout.data_bytes <= size - layout.data_offset, "data outside the file");
  return 0;
}
