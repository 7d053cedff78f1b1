#include "push/audio/alsa_source.hpp"

#include <alsa/asoundlib.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <mutex>

#include <fmt/format.h>

#include "core/log.hpp"

namespace levelcast {
namespace {
constexpr unsigned kLatencyMicros = 100'000;  // ALSA's buffer: room for a few snapshot periods

// ALSA prints its own diagnostics straight to stderr; route them through our log instead, where
// they do not break the one-line start-up error.
void log_alsa_message(const char* file, int line, const char* function, int err, const char* format, ...) {
  char text[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(text, sizeof text, format, args);
  va_end(args);
  LC_LOG(debug, "alsa: {}:{} {}: {}{}{}", file, line, function, text, err != 0 ? ": " : "",
         err != 0 ? snd_strerror(err) : "");
}
}  // namespace

std::unique_ptr<AlsaSource> AlsaSource::open(const std::string& device, int channels, int sample_rate,
                                             std::string& error) {
  static std::once_flag quiet_alsa;
  std::call_once(quiet_alsa, [] { snd_lib_error_set_handler(log_alsa_message); });
  snd_pcm_t* pcm = nullptr;
  int rc = snd_pcm_open(&pcm, device.c_str(), SND_PCM_STREAM_CAPTURE, SND_PCM_NONBLOCK);
  if (rc < 0) {
    error = fmt::format("alsa:{}: {}", device, snd_strerror(rc));
    return nullptr;
  }
  rc = snd_pcm_set_params(pcm, SND_PCM_FORMAT_FLOAT_LE, SND_PCM_ACCESS_RW_INTERLEAVED, static_cast<unsigned>(channels),
                          static_cast<unsigned>(sample_rate), 1, kLatencyMicros);
  if (rc < 0) {
    snd_pcm_close(pcm);
    error = fmt::format("alsa:{}: {} channels at {} Hz: {}", device, channels, sample_rate, snd_strerror(rc));
    return nullptr;
  }
  std::unique_ptr<AlsaSource> source(new AlsaSource(device, pcm, channels, sample_rate));
  if (!source->interrupt_.open(error)) return nullptr;
  const int count = snd_pcm_poll_descriptors_count(pcm);
  source->poll_fds_.resize(1 + static_cast<size_t>(std::max(count, 0)));
  source->poll_fds_[0] = {source->interrupt_.fd(), POLLIN, 0};
  snd_pcm_poll_descriptors(pcm, source->poll_fds_.data() + 1, static_cast<unsigned>(std::max(count, 0)));
  return source;
}

AlsaSource::AlsaSource(std::string device, snd_pcm_t* pcm, int channels, int sample_rate)
    : device_(std::move(device)), pcm_(pcm), channels_(channels), sample_rate_(sample_rate) {}

AlsaSource::~AlsaSource() { snd_pcm_close(pcm_); }

bool AlsaSource::wait_for_audio() {
  while (!interrupt_.signalled()) {
    const int n = ::poll(poll_fds_.data(), static_cast<nfds_t>(poll_fds_.size()), -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (poll_fds_[0].revents != 0) return false;
    unsigned short revents = 0;
    snd_pcm_poll_descriptors_revents(pcm_, poll_fds_.data() + 1, static_cast<unsigned>(poll_fds_.size() - 1), &revents);
    if (revents & (POLLERR | POLLIN)) return true;  // POLLERR: an xrun for readi to report
  }
  return false;
}

size_t AlsaSource::read(std::span<float> out) {
  const auto frames = static_cast<snd_pcm_uframes_t>(out.size() / static_cast<size_t>(channels_));
  // Each pass either reads, recovers from an xrun, or waits for the device once.
  while (!ended_ && frames > 0) {
    if (interrupt_.signalled()) break;
    const snd_pcm_sframes_t got = snd_pcm_readi(pcm_, out.data(), frames);
    if (got > 0) return static_cast<size_t>(got);
    if (got == -EAGAIN || got == 0) {
      if (!wait_for_audio()) ended_ = true;
      continue;
    }
    LC_LOG(warn, "alsa:{}: {}; recovering", device_, snd_strerror(static_cast<int>(got)));
    if (snd_pcm_recover(pcm_, static_cast<int>(got), 1) < 0) {
      LC_LOG(error, "alsa:{}: cannot recover, the source has ended", device_);
      ended_ = true;
    }
  }
  return 0;
}

}  // namespace levelcast
