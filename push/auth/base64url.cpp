#include "push/auth/base64url.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace levelcast {
namespace {
bool is_url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}
}  // namespace

std::string encode_base64url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  std::replace(out.begin(), out.end(), '+', '-');
  std::replace(out.begin(), out.end(), '/', '_');
  return out;
}

bool decode_base64url(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 == 1 || !std::all_of(text.begin(), text.end(), is_url_char)) return false;
  if (text.empty()) return true;
  std::string standard(text);
  std::replace(standard.begin(), standard.end(), '-', '+');
  std::replace(standard.begin(), standard.end(), '_', '/');
  const size_t padding = (4 - standard.size() % 4) % 4;
  standard.append(padding, '=');
  out.resize(standard.size() / 4 * 3 + 1);
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(standard.data()),
                                static_cast<int>(standard.size()));
  if (n < 0 || static_cast<size_t>(n) < padding) return false;
  out.resize(static_cast<size_t>(n) - padding);  // EVP_DecodeBlock counts padding as zero bytes
  // Non-zero unused bits would give a second spelling of the same bytes: refuse it. Only the
  // last, partial group can have them: encoding its bytes again must give the same characters.
  if (padding == 0) return true;
  const size_t tail = 3 - padding;
  std::array<unsigned char, 5> group{};
  EVP_EncodeBlock(group.data(), reinterpret_cast<const unsigned char*>(out.data() + out.size() - tail),
                  static_cast<int>(tail));
  return std::memcmp(group.data(), standard.data() + standard.size() - 4, 4) == 0;
}

}  // namespace levelcast
