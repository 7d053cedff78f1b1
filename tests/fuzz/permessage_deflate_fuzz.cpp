// libFuzzer target for the two permessage-deflate parsers a client can reach: the extension
// offer (Sec-WebSocket-Extensions) and the compressed message the inflater reads. The first byte
// picks which; the inflater's size limit comes from the second.
//
// Invariants: an accepted offer is answered with both no_context_takeover parameters and never
// with client_max_window_bits; the inflater never writes past its limit, and whatever it calls
// ok inflates again to the same bytes (its state is reset between messages); what the deflater
// compresses inflates back unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/permessage_deflate.hpp"
#include "tests/fuzz/invariant.hpp"

using namespace levelcast;

namespace {

void offer(std::string_view text) {
  const auto answer = answer_deflate_offers(text);
  if (!answer) return;
  fuzz::require(answer->starts_with("permessage-deflate; server_no_context_takeover; client_no_context_takeover"),
                "an answer without both no_context_takeover parameters");
  fuzz::require(answer->find("client_max_window_bits") == std::string::npos,
                "an answer that names client_max_window_bits");
}

void message(std::span<const uint8_t> compressed, size_t limit) {
  static MessageInflater inflater;
  static MessageDeflater deflater;
  std::string out;
  const InflateStatus status = inflater.inflate(compressed, limit, out);
  fuzz::require(out.size() <= limit + 1, "the inflater wrote far past its limit");
  if (status != InflateStatus::ok) return;
  fuzz::require(out.size() <= limit, "an ok message over the limit");
  std::string again;
  fuzz::require(inflater.inflate(compressed, limit, again) == InflateStatus::ok && again == out,
                "the same message inflated differently the second time");
  std::string round_trip;
  deflater.compress({reinterpret_cast<const uint8_t*>(out.data()), out.size()}, round_trip);
  std::string back;
  fuzz::require(inflater.inflate({reinterpret_cast<const uint8_t*>(round_trip.data()), round_trip.size()},
                                 out.size(), back) == InflateStatus::ok && back == out,
                "a compressed message does not inflate back to itself");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::span<const uint8_t> rest(data + 2, size - 2);
  if (data[0] & 1) {
    offer({reinterpret_cast<const char*>(rest.data()), rest.size()});
  } else {
    message(rest, size_t{data[1]} * 64);
  }
  return 0;
}
