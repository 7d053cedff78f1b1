// The verifier alone (push/auth/jwt_verifier.hpp): CPU per token for each algorithm, the part
// of a handshake that access control adds. The suite `bench/fanout access` measures whole
// handshakes on a server.
#include <benchmark/benchmark.h>

#include "push/auth/jwt_signer.hpp"
#include "push/auth/jwt_verifier.hpp"

namespace levelcast {
namespace {

constexpr int64_t kNow = 1'800'000'000;
constexpr std::string_view kClaims = R"({"exp":1900000000,"sub":"bench","topics":["mic","cam*"]})";
const std::string kSecret(48, 's');

void BM_VerifyJwt(benchmark::State& state) {
  const auto algorithm = static_cast<JwtAlgorithm>(state.range(0));
  JwtKeys keys;
  std::string error;
  PkeyPtr key;
  std::string token;
  if (algorithm == JwtAlgorithm::hs256) {
    keys.add_hmac_secret(kSecret, error);
    token = sign_jws(R"({"alg":"HS256","typ":"JWT"})", kClaims, algorithm, kSecret, nullptr);
  } else {
    const bool ec = algorithm == JwtAlgorithm::es256;
    key.reset(ec ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                 : EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
    keys.add_public_key_pem(public_key_pem(key.get()), "k", error);
    const std::string header = ec ? R"({"alg":"ES256","kid":"k"})" : R"({"alg":"RS256","kid":"k"})";
    token = sign_jws(header, kClaims, algorithm, {}, key.get());
  }
  JwtClaims claims;
  for (auto _ : state) {
    if (verify_jwt(token, keys, {}, kNow, claims) != JwtError::none) state.SkipWithError("refused");
    benchmark::DoNotOptimize(claims.expires_at);
  }
  state.SetLabel(std::string(algorithm_name(algorithm)));
}
BENCHMARK(BM_VerifyJwt)->Arg(0)->Arg(1)->Arg(2);

}  // namespace
}  // namespace levelcast
