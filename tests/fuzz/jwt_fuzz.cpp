// Fuzzes the JWT verifier (push/auth/jwt_verifier.hpp) as the server runs it on a token taken
// from a request, with one HMAC secret, one P-256 and one RSA public key loaded.
//
// Input: [mode] [bytes...]
//   mode & 3 == 0: the bytes are a token, verified as received.
//   mode & 3 == 1: the bytes are payload JSON, signed with the HMAC secret under the header
//                  {"alg":"HS256","typ":"JWT"}, so that it reaches the claim checks behind a
//                  valid signature.
//   mode & 3 == 2: the bytes go through base64url encode then decode, and are decoded alone.
//   mode >> 2 moves the clock (now = 1,700,000,000 + 997 * (mode >> 2) seconds).
// Checks: the verdict is the same twice (pure); an accepted token has exp in the future and
// loses its acceptance when one byte of its signature changes; a token signed with the secret
// is never refused for its signature; base64url round-trips.
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "push/auth/base64url.hpp"
#include "push/auth/jwt_signer.hpp"
#include "push/auth/jwt_verifier.hpp"
#include "tests/fuzz/invariant.hpp"

namespace {

using namespace levelcast;
using fuzz::require;

constexpr std::string_view kSecret = "levelcast-fuzz-secret-0123456789abcdef";

const JwtKeys& keys() {
  static const JwtKeys* loaded = [] {
    auto* k = new JwtKeys;
    std::string error;
    require(k->add_hmac_secret(std::string(kSecret), error), "the HMAC secret loads");
    EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    EVP_PKEY* rsa = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
    require(k->add_public_key_pem(public_key_pem(ec), "ec", error), "the EC key loads");
    require(k->add_public_key_pem(public_key_pem(rsa), "rsa", error), "the RSA key loads");
    EVP_PKEY_free(ec);
    EVP_PKEY_free(rsa);
    return k;
  }();
  return *loaded;
}

bool signature_checked(JwtError e) {
  return e != JwtError::malformed && e != JwtError::bad_header && e != JwtError::no_key &&
         e != JwtError::bad_signature;
}

void check_token(std::string_view token, int64_t now, bool signed_with_secret) {
  const JwtPolicy policy{"", 5};
  JwtClaims claims, again;
  const JwtError verdict = verify_jwt(token, keys(), policy, now, claims);
  require(verify_jwt(token, keys(), policy, now, again) == verdict, "the same verdict twice");
  if (verdict == JwtError::none) {
    require(claims.expires_at + policy.leeway_s > now, "an accepted token has not expired");
  } else {
    require(claims.topics.empty() && claims.subject.empty(), "a refused token yields no claims");
  }
  if (signed_with_secret) require(signature_checked(verdict), "a token signed with the secret verifies");
  if (!signature_checked(verdict)) return;
  // Flip the first signature character to another url-alphabet one: no longer acceptable.
  std::string tampered(token);
  const size_t sig = tampered.rfind('.') + 1;
  if (sig >= tampered.size()) return;
  tampered[sig] = tampered[sig] == 'A' ? 'B' : 'A';
  JwtClaims ignored;
  const JwtError after = verify_jwt(tampered, keys(), policy, now, ignored);
  require(!signature_checked(after), "a changed signature is refused");
}

void check_signed(std::string_view payload, int64_t now) {
  // An empty payload segment, or a token past the length limit, is refused before the signature.
  if (payload.empty() || payload.size() > kMaxTokenBytes / 2) return;
  const std::string token =
      sign_jws(R"({"alg":"HS256","typ":"JWT"})", payload, JwtAlgorithm::hs256, kSecret, nullptr);
  require(!token.empty(), "HS256 signing succeeds");
  check_token(token, now, true);
}

void check_base64url(std::string_view bytes) {
  std::string decoded;
  require(decode_base64url(encode_base64url(bytes), decoded) && decoded == bytes,
          "base64url round-trips");
  if (decode_base64url(bytes, decoded)) {
    require(encode_base64url(decoded) == bytes, "an accepted base64url text is canonical");
  }
}

}  // namespace

// The keys are made before fuzzing starts: an RSA key takes a second or more under ASan, which
// would otherwise land on the first input that needs it and read as a slow unit.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  keys();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  const int64_t now = 1'700'000'000 + 997 * static_cast<int64_t>(mode >> 2);
  switch (mode & 3) {
    case 0: check_token(bytes, now, false); break;
    case 1: check_signed(bytes, now); break;
    case 2: check_base64url(bytes); break;
    default: break;
  }
  return 0;
}
