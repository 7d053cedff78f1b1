#include "push/audio/sample_format.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

#include "core/check.hpp"

namespace levelcast {
namespace {
// Assembled byte by byte so the result does not depend on the host's byte order; compilers turn
// these into single loads on little-endian machines.
uint32_t load_le(const std::byte* p, size_t n) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}

template <size_t Bytes>
void decode_integer(const std::byte* bytes, size_t samples, float* out) {
  constexpr int kShift = 32 - 8 * static_cast<int>(Bytes);  // sign-extend through the top bit
  constexpr double kScale = 1.0 / 2147483648.0;
  for (size_t i = 0; i < samples; ++i) {
    const auto v = static_cast<int32_t>(load_le(bytes + i * Bytes, Bytes) << kShift);
    out[i] = static_cast<float>(static_cast<double>(v) * kScale);
  }
}
}  // namespace

size_t bytes_per_sample(SampleFormat format) {
  switch (format) {
    case SampleFormat::s16le: return 2;
    case SampleFormat::s24le: return 3;
    case SampleFormat::s32le: return 4;
    case SampleFormat::f32le: return 4;
  }
  return 0;
}

std::string_view format_name(SampleFormat format) {
  switch (format) {
    case SampleFormat::s16le: return "s16le";
    case SampleFormat::s24le: return "s24le";
    case SampleFormat::s32le: return "s32le";
    case SampleFormat::f32le: return "f32le";
  }
  return "?";
}

void decode_samples(SampleFormat format, const std::byte* bytes, size_t samples, float* out) {
  switch (format) {
    case SampleFormat::s16le: return decode_integer<2>(bytes, samples, out);
    case SampleFormat::s24le: return decode_integer<3>(bytes, samples, out);
    case SampleFormat::s32le: return decode_integer<4>(bytes, samples, out);
    case SampleFormat::f32le:
      for (size_t i = 0; i < samples; ++i) out[i] = std::bit_cast<float>(load_le(bytes + i * 4, 4));
      return;
  }
}

PcmDecoder::PcmDecoder(SampleFormat format, int channels)
    : format_(format),
      channels_(static_cast<size_t>(channels)),
      frame_bytes_(bytes_per_sample(format) * static_cast<size_t>(channels)) {
  LC_CHECK(channels > 0);
}

std::span<std::byte> PcmDecoder::space_for(size_t frames) {
  const size_t total = frames * frame_bytes_;
  LC_CHECK(total > carried_);
  if (buffer_.size() < total) buffer_.resize(total);
  return std::span<std::byte>(buffer_).subspan(carried_, total - carried_);
}

size_t PcmDecoder::commit(size_t bytes, std::span<float> out) {
  const size_t available = carried_ + bytes;
  const size_t frames = available / frame_bytes_;
  LC_CHECK(frames * channels_ <= out.size());
  decode_samples(format_, buffer_.data(), frames * channels_, out.data());
  carried_ = available - frames * frame_bytes_;
  if (carried_ != 0) std::memmove(buffer_.data(), buffer_.data() + frames * frame_bytes_, carried_);
  return frames;
}

void PcmDecoder::drop_carried(size_t fresh_bytes) {
  if (carried_ != 0) std::memmove(buffer_.data(), buffer_.data() + carried_, fresh_bytes);
  carried_ = 0;
}

}  // namespace levelcast
