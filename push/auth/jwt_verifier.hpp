#pragma once
// JWT verification (RFC 7519 with JWS compact serialization, RFC 7515): a pure function of the
// token, the keys, the policy and the time, so that tests and the fuzzer use it alone. Safe from
// any thread (the keys are immutable).
//
// The key decides the check, never the token: a token is checked only by keys whose own
// algorithm equals the one its header names, chosen by `kid` when the header has one. `none`,
// any `crit` (no extension is understood), malformed base64url, a wrong number of segments and
// trailing bytes are refused; signatures are compared in constant time.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "push/auth/jwt_keys.hpp"

namespace levelcast {

struct JwtPolicy {
  std::string audience;  // empty: tokens must carry no `aud` (RFC 7519 4.1.3)
  int64_t leeway_s = 5;  // allowed clock skew for exp and nbf
};

struct JwtClaims {
  int64_t expires_at = 0;           // exp, Unix seconds (fraction dropped)
  std::string subject;              // sub, may be empty
  std::vector<std::string> topics;  // topic names or globs (`*`) the bearer may subscribe to
};

enum class JwtError : uint8_t {
  none,
  malformed,        // not three base64url segments, or too long
  bad_header,       // not a JSON object with a string alg, or a crit, or alg none
  no_key,           // no key allows the header's algorithm (or kid names none)
  bad_signature,
  bad_claims,       // payload not a JSON object, exp missing, a claim of the wrong type
  expired,
  not_yet_valid,
  wrong_audience,
};
std::string_view describe(JwtError error);

constexpr size_t kMaxTokenBytes = 8192;

JwtError verify_jwt(std::string_view token, const JwtKeys& keys, const JwtPolicy& policy,
                    int64_t now_s, JwtClaims& claims);

}  // namespace levelcast
