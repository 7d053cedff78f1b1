// Fuzzes unmask (net/ws_frame.hpp) against a byte-by-byte XOR at any start alignment, mask phase
// and length; the buffer ends where the payload ends, so ASan sees any access past it.
//
// Input: [mask, 4 bytes] [phase (bits 0-1), start offset 0..15 (bits 2-5)] [payload...]
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "net/ws_frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  const uint8_t* mask = data;
  const size_t phase = data[4] & 3;
  const size_t offset = (data[4] >> 2) & 15;
  const uint8_t* payload = data + 5;
  const size_t length = size - 5;

  std::vector<uint8_t> buffer(offset + length, 0xEE);
  for (size_t i = 0; i < length; ++i) buffer[offset + i] = payload[i];
  levelcast::unmask(buffer.data() + offset, length, mask, phase);
  for (size_t i = 0; i < buffer.size(); ++i) {
    const uint8_t want = i < offset ? 0xEE : payload[i - offset] ^ mask[(i - offset + phase) & 3];
    if (buffer[i] != want) {
      std::fprintf(stderr, "unmask fuzz: byte %zu is %02x, want %02x\n", i, buffer[i], want);
      std::abort();
    }
  }
  return 0;
}
