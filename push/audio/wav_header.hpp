#pragma once
// read_wav_header: finds the format and the audio data of a RIFF/WAVE file. Supports PCM 16,
// 24 and 32-bit and IEEE float 32 (format tags 1 and 3, and WAVE_FORMAT_EXTENSIBLE with those
// sub-formats); skips chunks it does not know (LIST, fact, bext, ...). A data size of 0xFFFFFFFF
// (a streaming writer's "until the end") means the rest of the file. Pure function of the
// file's bytes; any thread.
#include <cstdint>
#include <string>

#include "push/audio/sample_format.hpp"

namespace levelcast {

struct WavLayout {
  SampleFormat format = SampleFormat::s16le;
  int channels = 0;
  int sample_rate = 0;
  uint64_t data_offset = 0;  // bytes from the start of the file
  uint64_t data_bytes = 0;   // whole frames only
  uint64_t frame_bytes = 0;
};

// Reads the header of the open file `fd` of `file_size` bytes. False with `reason` (e.g. "not a
// RIFF/WAVE file", "8-bit PCM is not supported", "data chunk truncated") when it is unusable.
bool read_wav_header(int fd, uint64_t file_size, WavLayout& layout, std::string& reason);

}  // namespace levelcast
