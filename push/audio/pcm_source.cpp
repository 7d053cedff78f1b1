#include "push/audio/pcm_source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/log.hpp"

namespace levelcast {

std::unique_ptr<PcmSource> PcmSource::open(const std::string& path, SampleFormat format, int channels,
                                           int sample_rate, std::string& error) {
  int fd = STDIN_FILENO;
  const bool owns_fd = path != "-";
  if (owns_fd) {
    // O_NONBLOCK so that opening a named pipe does not wait for its writer at start-up; reads
    // wait in poll() instead, where interrupt() can end them.
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
      error = fmt::format("pcm:{}: {}", path, std::strerror(errno));
      return nullptr;
    }
    ::fcntl(fd, F_SETFL, 0);
  }
  std::unique_ptr<PcmSource> source(new PcmSource(path, fd, owns_fd, format, channels, sample_rate));
  if (!source->interrupt_.open(error)) return nullptr;
  return source;
}

PcmSource::PcmSource(std::string path, int fd, bool owns_fd, SampleFormat format, int channels, int sample_rate)
    : path_(std::move(path)),
      fd_(fd),
      owns_fd_(owns_fd),
      channels_(channels),
      sample_rate_(sample_rate),
      decoder_(format, channels) {}

PcmSource::~PcmSource() {
  if (owns_fd_) ::close(fd_);
}

size_t PcmSource::read(std::span<float> out) {
  const size_t frames = out.size() / static_cast<size_t>(channels_);
  if (ended_ || frames == 0) return 0;
  // Each pass waits for bytes; it returns once they complete a frame, or at the end.
  while (true) {
    if (wait_readable(fd_, interrupt_, -1) != WaitResult::ready) break;
    const std::span<std::byte> space = decoder_.space_for(frames);
    const ssize_t n = ::read(fd_, space.data(), space.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      LC_LOG(error, "pcm:{}: {}", path_, std::strerror(errno));
      break;
    }
    if (n == 0) {
      if (decoder_.has_partial_frame()) LC_LOG(warn, "pcm:{}: ended inside a frame", path_);
      break;
    }
    const size_t got = decoder_.commit(static_cast<size_t>(n), out);
    if (got > 0) return got;
  }
  ended_ = true;
  return 0;
}

}  // namespace levelcast
