#pragma once
// base64url without padding (RFC 4648 section 5, as JWS uses it), through OpenSSL's base64.
// Pure; safe from any thread.
#include <string>
#include <string_view>

namespace levelcast {

// Strict: only the url alphabet, no padding, no line breaks, and the canonical encoding (unused
// trailing bits zero), so that one value has exactly one accepted spelling. False on anything else.
bool decode_base64url(std::string_view text, std::string& out);
std::string encode_base64url(std::string_view bytes);

}  // namespace levelcast
