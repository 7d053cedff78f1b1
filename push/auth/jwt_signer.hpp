#pragma once
// Making tokens: HMAC-SHA-256 and JWS compact signing through OpenSSL's EVP API. Used by
// `levelcast token` (HS256), by the verifier (HMAC), and by tests and benchmarks (ES256 and
// RS256 with a private key). Pure; safe from any thread.
#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "push/auth/jwt_keys.hpp"

namespace levelcast {

// The 32-byte MAC, or empty if OpenSSL failed.
std::string hmac_sha256(std::string_view key, std::string_view data);
// An HMAC-SHA-256 context keyed once, to duplicate for each message; null on failure.
MacCtxPtr keyed_hmac_sha256(std::string_view key);
// The MAC of `data` through a duplicate of `keyed` (which stays untouched: safe from any
// thread); empty on failure.
std::string hmac_sha256(const EVP_MAC_CTX* keyed, std::string_view data);

// header "." payload "." signature, each base64url. `secret` for HS256, `private_key` for ES256
// and RS256. Empty on failure.
std::string sign_jws(std::string_view header_json, std::string_view payload_json,
                     JwtAlgorithm algorithm, std::string_view secret, EVP_PKEY* private_key);

struct TokenRequest {
  std::vector<std::string> topics;
  int64_t ttl_s = 3600;
  std::string subject;
  std::string audience;
};

// An HS256 token: {"alg":"HS256","typ":"JWT"} and {"exp","iat","sub","aud","topics"}.
std::string mint_hs256_token(std::string_view secret, const TokenRequest& request, int64_t now_s);

}  // namespace levelcast
