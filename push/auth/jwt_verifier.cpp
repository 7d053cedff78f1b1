#include "push/auth/jwt_verifier.hpp"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <array>
#include <cmath>
#include <memory>

#include "push/auth/base64url.hpp"
#include "push/auth/jwt_signer.hpp"

namespace levelcast {
namespace {

struct JsonFree {
  void operator()(json_t* value) const { json_decref(value); }
};
using JsonPtr = std::unique_ptr<json_t, JsonFree>;

// The three segments of a compact JWS, as received, the payload and signature decoded.
struct JwsParts {
  std::string_view signing_input;  // header "." payload, as sent
  std::string_view header_segment;  // base64url, decoded by decode_header
  std::string payload;
  std::string signature;
};

bool split_token(std::string_view token, JwsParts& parts) {
  if (token.size() > kMaxTokenBytes) return false;
  const size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return false;
  const size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return false;
  }
  parts.signing_input = token.substr(0, dot2);
  parts.header_segment = token.substr(0, dot1);
  return dot1 > 0 && dot2 > dot1 + 1 &&
         decode_base64url(token.substr(dot1 + 1, dot2 - dot1 - 1), parts.payload) &&
         decode_base64url(token.substr(dot2 + 1), parts.signature);
}

// A JSON object from bytes: duplicate keys refused (which of two `exp` would count?), no
// trailing bytes, no NUL in strings.
JsonPtr parse_object(const std::string& text) {
  json_error_t error;
  JsonPtr value(json_loadb(text.data(), text.size(), JSON_REJECT_DUPLICATES, &error));
  if (!value || !json_is_object(value.get())) return nullptr;
  return value;
}

struct JwsHeader {
  std::string alg;
  std::string kid;
  bool has_kid = false;
};

bool parse_header(const std::string& text, JwsHeader& out) {
  const JsonPtr header = parse_object(text);
  if (!header) return false;
  const json_t* alg = json_object_get(header.get(), "alg");
  const json_t* kid = json_object_get(header.get(), "kid");
  const json_t* typ = json_object_get(header.get(), "typ");
  if (!json_is_string(alg) || json_object_get(header.get(), "crit") != nullptr) return false;
  if (kid != nullptr && !json_is_string(kid)) return false;
  if (typ != nullptr && (!json_is_string(typ) || strcasecmp(json_string_value(typ), "JWT") != 0)) {
    return false;
  }
  out.alg = json_string_value(alg);
  out.has_kid = kid != nullptr;
  if (out.has_kid) out.kid = json_string_value(kid);
  return out.alg != "none";
}

JwtError decode_header_now(std::string_view segment, JwsHeader& out) {
  std::string json;
  if (!decode_base64url(segment, json)) return JwtError::malformed;
  return parse_header(json, out) ? JwtError::none : JwtError::bad_header;
}

// The tokens of one issuer share their header byte for byte, so the last header decoded on this
// thread is kept: a handshake then pays for one JSON document, the claims. The verdict is the
// same either way (this is a memo of a pure function).
JwtError decode_header(std::string_view segment, JwsHeader& out) {
  thread_local std::string last_segment;
  thread_local JwsHeader last_header;
  thread_local JwtError last_verdict = JwtError::malformed;
  if (last_segment.empty() || segment != last_segment) {
    last_header = JwsHeader{};
    last_verdict = decode_header_now(segment, last_header);
    last_segment.assign(segment);
  }
  out = last_header;
  return last_verdict;
}

bool verify_hs256(const JwtKey& key, const JwsParts& parts) {
  const std::string expected = hmac_sha256(key.hmac.get(), parts.signing_input);
  return !expected.empty() && parts.signature.size() == expected.size() &&
         CRYPTO_memcmp(parts.signature.data(), expected.data(), expected.size()) == 0;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

bool digest_verify(EVP_PKEY* key, std::string_view signature, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

// JWS carries an ECDSA signature as R || S (32 bytes each); OpenSSL verifies DER.
bool verify_es256(const JwtKey& key, const JwsParts& parts) {
  constexpr size_t kHalf = 32;
  if (parts.signature.size() != 2 * kHalf) return false;
  const auto* raw = reinterpret_cast<const unsigned char*>(parts.signature.data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(raw, kHalf, nullptr);
  BIGNUM* s = BN_bin2bn(raw + kHalf, kHalf, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return false;
  }
  unsigned char* der = nullptr;
  const int der_length = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (der_length <= 0) return false;
  const bool ok = digest_verify(
      key.public_key.get(),
      {reinterpret_cast<const char*>(der), static_cast<size_t>(der_length)}, parts.signing_input);
  OPENSSL_free(der);
  return ok;
}

bool verify_rs256(const JwtKey& key, const JwsParts& parts) {
  if (parts.signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key.public_key.get()))) {
    return false;
  }
  return digest_verify(key.public_key.get(), parts.signature, parts.signing_input);
}

bool verify_with(const JwtKey& key, const JwsParts& parts) {
  switch (key.algorithm) {
    case JwtAlgorithm::hs256: return verify_hs256(key, parts);
    case JwtAlgorithm::es256: return verify_es256(key, parts);
    case JwtAlgorithm::rs256: return verify_rs256(key, parts);
  }
  return false;
}

// Candidate keys: those whose own algorithm is the header's, narrowed by kid when given.
JwtError check_signature(const JwsHeader& header, const JwtKeys& keys, const JwsParts& parts) {
  bool any_key = false;
  for (const JwtKey& key : keys.all()) {
    if (algorithm_name(key.algorithm) != header.alg) continue;
    if (header.has_kid && key.kid != header.kid) continue;
    any_key = true;
    if (verify_with(key, parts)) return JwtError::none;
  }
  return any_key ? JwtError::bad_signature : JwtError::no_key;
}

// NumericDate: a JSON number of seconds, finite and within the years a uint32 can hold.
bool read_time(const json_t* value, int64_t& out) {
  if (!json_is_number(value)) return false;
  const double seconds = json_number_value(value);
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 4294967295.0) return false;
  out = static_cast<int64_t>(seconds);
  return true;
}

bool audience_matches(const json_t* aud, const std::string& wanted) {
  if (aud == nullptr) return wanted.empty();
  if (wanted.empty()) return false;
  if (json_is_string(aud)) return wanted == json_string_value(aud);
  if (!json_is_array(aud)) return false;
  size_t i;
  const json_t* item;
  json_array_foreach(aud, i, item) {
    if (json_is_string(item) && wanted == json_string_value(item)) return true;
  }
  return false;
}

bool read_topics(const json_t* topics, std::vector<std::string>& out) {
  constexpr size_t kMaxTopics = 1024;
  if (topics == nullptr) return true;
  if (!json_is_array(topics) || json_array_size(topics) > kMaxTopics) return false;
  size_t i;
  const json_t* item;
  json_array_foreach(topics, i, item) {
    if (!json_is_string(item)) return false;
    out.emplace_back(json_string_value(item), json_string_length(item));
  }
  return true;
}

JwtError check_claims(const std::string& text, const JwtPolicy& policy, int64_t now_s,
                      JwtClaims& claims) {
  const JsonPtr payload = parse_object(text);
  if (!payload) return JwtError::bad_claims;
  const json_t* sub = json_object_get(payload.get(), "sub");
  const json_t* nbf_value = json_object_get(payload.get(), "nbf");
  int64_t nbf = 0;
  if (!read_time(json_object_get(payload.get(), "exp"), claims.expires_at) ||
      (nbf_value != nullptr && !read_time(nbf_value, nbf)) ||
      (sub != nullptr && !json_is_string(sub)) ||
      !read_topics(json_object_get(payload.get(), "topics"), claims.topics)) {
    return JwtError::bad_claims;
  }
  if (sub != nullptr) claims.subject.assign(json_string_value(sub), json_string_length(sub));
  if (now_s >= claims.expires_at + policy.leeway_s) return JwtError::expired;
  if (nbf_value != nullptr && now_s + policy.leeway_s < nbf) return JwtError::not_yet_valid;
  if (!audience_matches(json_object_get(payload.get(), "aud"), policy.audience)) {
    return JwtError::wrong_audience;
  }
  return JwtError::none;
}

}  // namespace

std::string_view describe(JwtError error) {
  switch (error) {
    case JwtError::none: return "ok";
    case JwtError::malformed: return "malformed token";
    case JwtError::bad_header: return "unacceptable token header";
    case JwtError::no_key: return "no key for this token";
    case JwtError::bad_signature: return "bad signature";
    case JwtError::bad_claims: return "malformed claims";
    case JwtError::expired: return "token expired";
    case JwtError::not_yet_valid: return "token not yet valid";
    case JwtError::wrong_audience: return "wrong audience";
  }
  return "bad token";
}

JwtError verify_jwt(std::string_view token, const JwtKeys& keys, const JwtPolicy& policy,
                    int64_t now_s, JwtClaims& claims) {
  claims = JwtClaims{};
  JwsParts parts;
  if (!split_token(token, parts)) return JwtError::malformed;
  JwsHeader header;
  if (const JwtError e = decode_header(parts.header_segment, header); e != JwtError::none) return e;
  // The signature first: nothing of an unauthenticated payload is looked at.
  if (const JwtError e = check_signature(header, keys, parts); e != JwtError::none) return e;
  const JwtError e = check_claims(parts.payload, policy, now_s, claims);
  if (e != JwtError::none) claims = JwtClaims{};
  return e;
}

}  // namespace levelcast
