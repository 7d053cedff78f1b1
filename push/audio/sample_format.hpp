#pragma once
// SampleFormat and PcmDecoder: raw little-endian interleaved PCM bytes to float samples
// (full scale 1.0). s16 is divided by 32768, s24 by 8388608, s32 by 2147483648.
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace levelcast {

enum class SampleFormat { s16le, s24le, s32le, f32le };

size_t bytes_per_sample(SampleFormat format);
std::string_view format_name(SampleFormat format);

// Converts `samples` samples at `bytes` into `out` (out.size() >= samples).
void decode_samples(SampleFormat format, const std::byte* bytes, size_t samples, float* out);

// PcmDecoder: turns a byte stream that arrives in arbitrary pieces (a pipe may split a frame
// anywhere) into whole frames. Owns a byte buffer that grows to the largest request once.
// Not thread-safe: one reader.
class PcmDecoder {
 public:
  PcmDecoder(SampleFormat format, int channels);

  size_t frame_bytes() const { return frame_bytes_; }
  // Where to read bytes so that, with the carried partial frame, at most `frames` frames are
  // complete.
  std::span<std::byte> space_for(size_t frames);
  // Accounts for `bytes` read into space_for()'s span; writes the whole frames now available to
  // `out` (sized for `frames` of the last space_for) and keeps the remainder. Returns frames.
  size_t commit(size_t bytes, std::span<float> out);
  // Drops a carried partial frame (a new stream begins).
  void reset() { carried_ = 0; }
  // The same after `fresh_bytes` were read into space_for()'s span: those are kept, moved to
  // the front, and are still to be commit()ted.
  void drop_carried(size_t fresh_bytes);
  bool has_partial_frame() const { return carried_ != 0; }

 private:
  SampleFormat format_;
  size_t channels_;
  size_t frame_bytes_;
  size_t carried_ = 0;  // bytes of an incomplete frame at the start of buffer_
  std::vector<std::byte> buffer_;
};

}  // namespace levelcast
