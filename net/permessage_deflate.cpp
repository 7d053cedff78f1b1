#include "net/permessage_deflate.hpp"

#include <array>

#include "core/check.hpp"

namespace levelcast {
namespace {

// zlib's raw deflate with a 512-byte window never refers further back than 250 bytes, which
// every client window allows (server_max_window_bits may be as low as 8): one compressed form
// is valid for all of them. Snapshots are a few hundred bytes, so the ratio barely changes.
constexpr int kDeflateWindowBits = -9;
constexpr int kInflateWindowBits = -15;  // clients may use any window (we never limit theirs)
constexpr std::array<uint8_t, 4> kTail = {0x00, 0x00, 0xff, 0xff};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "8".."15", no sign, no leading zero, no quotes (RFC 7692 7.1.2: 1*DIGIT in the range).
bool valid_window_bits(std::string_view v) {
  if (v.size() == 1) return v[0] >= '8' && v[0] <= '9';
  return v.size() == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5';
}

// One offer: "permessage-deflate; p1; p2=v". Returns the answer, or nullopt to decline it.
std::optional<std::string> answer_offer(std::string_view offer) {
  size_t semi = offer.find(';');
  if (trim(offer.substr(0, semi)) != "permessage-deflate") return std::nullopt;
  std::string answer = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
  bool seen[4] = {false, false, false, false};
  while (semi != std::string_view::npos) {
    offer.remove_prefix(semi + 1);
    semi = offer.find(';');
    const std::string_view param = trim(offer.substr(0, semi));
    const size_t eq = param.find('=');
    const std::string_view name = trim(param.substr(0, eq));
    const bool has_value = eq != std::string_view::npos;
    const std::string_view value = has_value ? trim(param.substr(eq + 1)) : std::string_view{};
    int index;
    if (name == "server_no_context_takeover" && !has_value) {
      index = 0;
    } else if (name == "client_no_context_takeover" && !has_value) {
      index = 1;
    } else if (name == "server_max_window_bits" && has_value && valid_window_bits(value)) {
      index = 2;
      // We compress within any window (see kDeflateWindowBits): accept by naming the same value.
      answer.append("; server_max_window_bits=").append(value);
    } else if (name == "client_max_window_bits" && (!has_value || valid_window_bits(value))) {
      index = 3;  // the client may limit its own window; we inflate any, so we name none
    } else {
      return std::nullopt;  // unknown, malformed or valueless where a value is due
    }
    if (seen[index]) return std::nullopt;  // a parameter twice declines the offer
    seen[index] = true;
  }
  return answer;
}

}  // namespace

std::optional<std::string> answer_deflate_offers(std::string_view header_value) {
  while (!header_value.empty()) {
    const size_t comma = header_value.find(',');
    if (auto answer = answer_offer(header_value.substr(0, comma))) return answer;
    if (comma == std::string_view::npos) break;
    header_value.remove_prefix(comma + 1);
  }
  return std::nullopt;
}

std::optional<std::string> negotiate_permessage_deflate(const HttpRequest& request) {
  for (const HttpHeader& h : request.all_headers()) {
    if (!iequals(h.name, "Sec-WebSocket-Extensions")) continue;
    if (auto answer = answer_deflate_offers(h.value)) return answer;
  }
  return std::nullopt;
}

MessageDeflater::MessageDeflater() {
  LC_CHECK(deflateInit2(&stream_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kDeflateWindowBits, 8,
                        Z_DEFAULT_STRATEGY) == Z_OK);
}

MessageDeflater::~MessageDeflater() { deflateEnd(&stream_); }

void MessageDeflater::compress(std::span<const uint8_t> message, std::string& out) {
  const size_t bound = deflateBound(&stream_, message.size()) + 16;
  buffer_.resize(std::max(buffer_.size(), bound));
  stream_.next_in = const_cast<Bytef*>(message.data());
  stream_.avail_in = static_cast<uInt>(message.size());
  stream_.next_out = buffer_.data();
  stream_.avail_out = static_cast<uInt>(buffer_.size());
  LC_CHECK(deflate(&stream_, Z_SYNC_FLUSH) == Z_OK && stream_.avail_in == 0 && stream_.avail_out > 0);
  const size_t produced = buffer_.size() - stream_.avail_out;
  // A sync flush ends with an empty stored block, 00 00 ff ff: the receiver adds it back.
  LC_CHECK(produced >= kTail.size());
  out.append(reinterpret_cast<const char*>(buffer_.data()), produced - kTail.size());
  LC_CHECK(deflateReset(&stream_) == Z_OK);
}

MessageInflater::MessageInflater() { LC_CHECK(inflateInit2(&stream_, kInflateWindowBits) == Z_OK); }

MessageInflater::~MessageInflater() { inflateEnd(&stream_); }

InflateStatus MessageInflater::inflate(std::span<const uint8_t> compressed, size_t max_bytes,
                                       std::string& out) {
  out.clear();
  LC_CHECK(inflateReset(&stream_) == Z_OK);
  constexpr size_t kChunk = 16 * 1024;
  for (const std::span<const uint8_t> input : {compressed, std::span<const uint8_t>(kTail)}) {
    stream_.next_in = const_cast<Bytef*>(input.data());
    stream_.avail_in = static_cast<uInt>(input.size());
    // Until the input is used up and zlib has nothing left to give (room was left over).
    for (bool more = true; more;) {
      const size_t start = out.size();
      // One byte past the limit is enough to know it is too big.
      const size_t room = std::min(kChunk, max_bytes + 1 - start);
      out.resize(start + room);
      stream_.next_out = reinterpret_cast<Bytef*>(out.data() + start);
      stream_.avail_out = static_cast<uInt>(room);
      const int rc = ::inflate(&stream_, Z_SYNC_FLUSH);
      const bool filled = stream_.avail_out == 0;
      out.resize(out.size() - stream_.avail_out);
      if (out.size() > max_bytes) return InflateStatus::too_big;
      if (rc == Z_STREAM_END) return InflateStatus::ok;  // a final block ends the message early
      if (rc != Z_OK && !(rc == Z_BUF_ERROR && stream_.avail_in == 0)) return InflateStatus::corrupt;
      more = stream_.avail_in > 0 || filled;
    }
  }
  return InflateStatus::ok;
}

}  // namespace levelcast
