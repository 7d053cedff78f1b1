#pragma once
// SnapshotInflater: a permessage-deflate message (RFC 7692) back to its payload, so that the
// probes can read its seq and ts. One per worker thread, reused: the server compresses every
// message on its own (no context takeover), so each is inflated from a reset state.
#include <zlib.h>

#include <string>
#include <string_view>

namespace levelcast::load {

class SnapshotInflater {
 public:
  SnapshotInflater() { inflateInit2(&stream_, -15); }
  ~SnapshotInflater() { inflateEnd(&stream_); }
  SnapshotInflater(const SnapshotInflater&) = delete;
  SnapshotInflater& operator=(const SnapshotInflater&) = delete;

  // The inflated message (valid until the next call), or empty when it is not valid deflate data.
  std::string_view inflate(std::string_view compressed) {
    static constexpr unsigned char kTail[4] = {0x00, 0x00, 0xff, 0xff};
    inflateReset(&stream_);
    out_.resize(64 * 1024);
    stream_.next_out = reinterpret_cast<Bytef*>(out_.data());
    stream_.avail_out = static_cast<uInt>(out_.size());
    for (const std::string_view part : {compressed, std::string_view(reinterpret_cast<const char*>(kTail), 4)}) {
      stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(part.data()));
      stream_.avail_in = static_cast<uInt>(part.size());
      const int rc = ::inflate(&stream_, Z_SYNC_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return {};
    }
    return {out_.data(), out_.size() - stream_.avail_out};
  }

 private:
  z_stream stream_{};
  std::string out_;
};

}  // namespace levelcast::load
