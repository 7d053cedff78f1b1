#include "push/audio/wav_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/log.hpp"

namespace levelcast {

std::unique_ptr<WavSource> WavSource::open(const std::string& path, bool loop, bool realtime, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = fmt::format("wav:{}: {}", path, std::strerror(errno));
    return nullptr;
  }
  struct stat st {};
  std::string reason;
  WavLayout layout;
  bool usable = false;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    reason = "not a regular file";
  else
    usable = read_wav_header(fd, static_cast<uint64_t>(st.st_size), layout, reason);
  if (!usable) {
    ::close(fd);
    error = fmt::format("wav:{}: {}", path, reason);
    return nullptr;
  }
  return std::unique_ptr<WavSource>(new WavSource(path, fd, layout, loop, realtime));
}

WavSource::WavSource(std::string path, int fd, const WavLayout& layout, bool loop, bool realtime)
    : path_(std::move(path)), fd_(fd), layout_(layout), loop_(loop), realtime_(realtime) {}

WavSource::~WavSource() { ::close(fd_); }

size_t WavSource::read_frames(size_t frames, float* out) {
  const uint64_t left = (layout_.data_bytes - position_) / layout_.frame_bytes;
  const size_t want = static_cast<size_t>(std::min<uint64_t>(frames, left));
  const size_t size = want * layout_.frame_bytes;
  if (bytes_.size() < size) bytes_.resize(size);
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd_, bytes_.data() + done, size - done,
                              static_cast<off_t>(layout_.data_offset + position_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // The file shrank (or failed) under us: play what whole frames we have, then end.
      LC_LOG(warn, "wav:{}: {}", path_, n == 0 ? "file shrank while playing" : std::strerror(errno));
      ended_ = true;
      break;
    }
    done += static_cast<size_t>(n);
  }
  const size_t got = done / layout_.frame_bytes;
  decode_samples(layout_.format, bytes_.data(), got * static_cast<size_t>(layout_.channels), out);
  position_ += got * layout_.frame_bytes;
  return got;
}

size_t WavSource::read(std::span<float> out) {
  const auto channels = static_cast<size_t>(layout_.channels);
  const size_t frames = out.size() / channels;
  size_t filled = 0;
  // With loop, wrap around as often as the block needs; an empty data chunk ends at once.
  while (filled < frames && !ended_) {
    const size_t got = read_frames(frames - filled, out.data() + filled * channels);
    filled += got;
    if (position_ < layout_.data_bytes) continue;
    if (!loop_ || layout_.data_bytes == 0) ended_ = true;
    position_ = 0;
  }
  return filled;
}

}  // namespace levelcast
