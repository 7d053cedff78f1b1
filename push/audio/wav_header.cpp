#include "push/audio/wav_header.hpp"

#include <unistd.h>

#include <array>
#include <cstring>

#include <fmt/format.h>

#include "push/audio/source_spec.hpp"

namespace levelcast {
namespace {

constexpr uint16_t kFormatPcm = 1;
constexpr uint16_t kFormatFloat = 3;
constexpr uint16_t kFormatExtensible = 0xFFFE;
constexpr uint32_t kSizeUntilTheEnd = 0xFFFFFFFF;
// The sub-format GUID of WAVE_FORMAT_EXTENSIBLE is the format tag followed by these 14 bytes.
constexpr std::array<uint8_t, 14> kGuidTail = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                                0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}

bool read_exact(int fd, uint64_t offset, uint8_t* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, out + done, size - done, static_cast<off_t>(offset + done));
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Interprets a "fmt " chunk body; returns the reason when it is unsupported.
std::string parse_fmt(const uint8_t* body, uint32_t size, WavLayout& layout) {
  if (size < 16) return "fmt chunk too short";
  uint16_t tag = le16(body);
  const uint16_t channels = le16(body + 2);
  const uint32_t rate = le32(body + 4);
  const uint16_t block_align = le16(body + 12);
  const uint16_t bits = le16(body + 14);
  if (tag == kFormatExtensible) {
    if (size < 40) return "WAVE_FORMAT_EXTENSIBLE fmt chunk too short";
    if (std::memcmp(body + 26, kGuidTail.data(), kGuidTail.size()) != 0) return "unknown WAVE_FORMAT_EXTENSIBLE sub-format";
    tag = le16(body + 24);
  }
  if (tag == kFormatPcm) {
    if (bits == 16) layout.format = SampleFormat::s16le;
    else if (bits == 24) layout.format = SampleFormat::s24le;
    else if (bits == 32) layout.format = SampleFormat::s32le;
    else return fmt::format("{}-bit PCM is not supported (16, 24 or 32)", bits);
  } else if (tag == kFormatFloat) {
    if (bits != 32) return fmt::format("{}-bit float is not supported (32)", bits);
    layout.format = SampleFormat::f32le;
  } else {
    return fmt::format("format tag {:#x} is not supported (PCM or IEEE float)", tag);
  }
  if (channels < 1 || channels > kMaxChannels) return fmt::format("{} channels is not supported (1 to {})", channels, kMaxChannels);
  if (rate < kMinSampleRate || rate > kMaxSampleRate)
    return fmt::format("sample rate {} is not supported ({} to {})", rate, kMinSampleRate, kMaxSampleRate);
  layout.channels = channels;
  layout.sample_rate = static_cast<int>(rate);
  layout.frame_bytes = bytes_per_sample(layout.format) * channels;
  if (block_align != layout.frame_bytes) return fmt::format("block align {} does not match {} channels of {} bits", block_align, channels, bits);
  return {};
}

}  // namespace

bool read_wav_header(int fd, uint64_t file_size, WavLayout& layout, std::string& reason) {
  uint8_t riff[12];
  if (!read_exact(fd, 0, riff, sizeof riff) || std::memcmp(riff, "RIFF", 4) != 0 || std::memcmp(riff + 8, "WAVE", 4) != 0) {
    reason = "not a RIFF/WAVE file";
    return false;
  }
  bool have_fmt = false;
  uint64_t offset = 12;
  // Every pass moves past one chunk, so the walk ends within the file.
  while (offset + 8 <= file_size) {
    uint8_t header[8];
    if (!read_exact(fd, offset, header, sizeof header)) break;
    const uint32_t size = le32(header + 4);
    const uint64_t body = offset + 8;
    if (std::memcmp(header, "fmt ", 4) == 0) {
      uint8_t fmt_body[40] = {};
      if (body + std::min<uint64_t>(size, sizeof fmt_body) > file_size || !read_exact(fd, body, fmt_body, std::min<size_t>(size, sizeof fmt_body))) {
        reason = "fmt chunk truncated";
        return false;
      }
      reason = parse_fmt(fmt_body, size, layout);
      if (!reason.empty()) return false;
      have_fmt = true;
    } else if (std::memcmp(header, "data", 4) == 0) {
      if (!have_fmt) {
        reason = "data chunk before fmt chunk";
        return false;
      }
      // Streaming writers (ffmpeg to a pipe, and others) cannot go back to fill in the size:
      // they write 0xFFFFFFFF, "until the end of the file".
      const uint64_t data_size = size == kSizeUntilTheEnd ? file_size - body : size;
      if (body + data_size > file_size) {
        reason = "data chunk truncated";
        return false;
      }
      layout.data_offset = body;
      layout.data_bytes = data_size / layout.frame_bytes * layout.frame_bytes;
      return true;
    }
    offset = body + size + (size & 1);  // chunks are padded to an even size
  }
  reason = have_fmt ? "no data chunk (truncated file?)" : "no fmt chunk";
  return false;
}

}  // namespace levelcast
