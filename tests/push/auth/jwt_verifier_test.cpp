#include "push/auth/jwt_verifier.hpp"

#include <gtest/gtest.h>

#include "push/auth/base64url.hpp"
#include "push/auth/jwt_signer.hpp"

namespace levelcast {
namespace {

constexpr int64_t kNow = 1'800'000'000;
const std::string kSecret = "0123456789abcdef0123456789abcdef-secret";
constexpr std::string_view kHs256 = R"({"alg":"HS256","typ":"JWT"})";
const std::string kClaims = R"({"exp":1800000100,"sub":"ops","topics":["mic","cam*"]})";

class JwtVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(keys_.add_hmac_secret(kSecret, error)) << error;
    ec_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    rsa_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
    ASSERT_TRUE(keys_.add_public_key_pem(public_key_pem(ec_.get()), "ec1", error)) << error;
    ASSERT_TRUE(keys_.add_public_key_pem(public_key_pem(rsa_.get()), "rsa1", error)) << error;
  }
  JwtError verify(std::string_view token, JwtPolicy policy = {}) {
    return verify_jwt(token, keys_, policy, kNow, claims_);
  }
  std::string hs256(std::string_view payload, std::string_view header = kHs256) {
    return sign_jws(header, payload, JwtAlgorithm::hs256, kSecret, nullptr);
  }

  JwtKeys keys_;
  PkeyPtr ec_, rsa_;
  JwtClaims claims_;
};

TEST_F(JwtVerifierTest, AcceptsEachAlgorithmWithItsKey) {
  EXPECT_EQ(verify(hs256(kClaims)), JwtError::none);
  EXPECT_EQ(claims_.subject, "ops");
  EXPECT_EQ(claims_.expires_at, 1'800'000'100);
  EXPECT_EQ(claims_.topics, (std::vector<std::string>{"mic", "cam*"}));
  EXPECT_EQ(verify(sign_jws(R"({"alg":"ES256","kid":"ec1"})", kClaims, JwtAlgorithm::es256, {},
                            ec_.get())),
            JwtError::none);
  EXPECT_EQ(verify(sign_jws(R"({"alg":"RS256"})", kClaims, JwtAlgorithm::rs256, {}, rsa_.get())),
            JwtError::none);
}

TEST_F(JwtVerifierTest, RefusesAlgNone) {
  const std::string token =
      encode_base64url(R"({"alg":"none"})") + "." + encode_base64url(kClaims) + ".";
  EXPECT_EQ(verify(token), JwtError::bad_header);
  EXPECT_EQ(verify(token + "AAAA"), JwtError::bad_header);
}

// The classic confusion: an HS256 token whose HMAC key is the RS256 public key's PEM text.
TEST_F(JwtVerifierTest, RefusesHs256SignedWithThePublicKey) {
  const std::string pem = public_key_pem(rsa_.get());
  EXPECT_EQ(verify(sign_jws(R"({"alg":"HS256","kid":"rsa1"})", kClaims, JwtAlgorithm::hs256, pem,
                            nullptr)),
            JwtError::no_key);
  EXPECT_EQ(verify(sign_jws(kHs256, kClaims, JwtAlgorithm::hs256, pem, nullptr)),
            JwtError::bad_signature);
}

TEST_F(JwtVerifierTest, TheHeaderAlgorithmNeverPicksAnotherKeysCheck) {
  // An ES256 signature presented as RS256 by the EC key's kid: the EC key checks ES256 only.
  const std::string es = sign_jws(R"({"alg":"RS256","kid":"ec1"})", kClaims, JwtAlgorithm::es256,
                                  {}, ec_.get());
  EXPECT_EQ(verify(es), JwtError::no_key);
}

TEST_F(JwtVerifierTest, RefusesATamperedPayloadWithTheOldSignature) {
  const std::string token = hs256(kClaims);
  const size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  const std::string forged = token.substr(0, dot1 + 1) +
                             encode_base64url(R"({"exp":1800000100,"topics":["*"]})") +
                             token.substr(dot2);
  EXPECT_EQ(verify(forged), JwtError::bad_signature);
  EXPECT_TRUE(claims_.topics.empty());
}

TEST_F(JwtVerifierTest, RefusesTruncatedSignaturesAndTrailingBytes) {
  const std::string token = hs256(kClaims);
  EXPECT_EQ(verify(token.substr(0, token.size() - 4)), JwtError::bad_signature);
  EXPECT_EQ(verify(token.substr(0, token.size() - 1)), JwtError::malformed);  // not canonical
  EXPECT_EQ(verify(token + "."), JwtError::malformed);
  EXPECT_EQ(verify(token + " "), JwtError::malformed);
  EXPECT_EQ(verify(token + "=="), JwtError::malformed);
  const std::string es = sign_jws(R"({"alg":"ES256"})", kClaims, JwtAlgorithm::es256, {}, ec_.get());
  EXPECT_NE(verify(es.substr(0, es.size() - 8)), JwtError::none);
  EXPECT_EQ(verify(es.substr(0, es.rfind('.') + 1) + encode_base64url(std::string(63, 'x'))),
            JwtError::bad_signature);
}

TEST_F(JwtVerifierTest, RefusesCritAndBadHeaders) {
  EXPECT_EQ(verify(hs256(kClaims, R"({"alg":"HS256","crit":["exp"]})")), JwtError::bad_header);
  EXPECT_EQ(verify(hs256(kClaims, R"({"alg":"HS256","alg":"none"})")), JwtError::bad_header);
  EXPECT_EQ(verify(hs256(kClaims, R"({"alg":"HS256"} x)")), JwtError::bad_header);
  EXPECT_EQ(verify(hs256(kClaims, R"(["HS256"])")), JwtError::bad_header);
  EXPECT_EQ(verify(hs256(kClaims, R"({"alg":"HS512"})")), JwtError::no_key);
  EXPECT_EQ(verify(hs256(kClaims, R"({"alg":"HS256","kid":"nobody"})")), JwtError::no_key);
}

TEST_F(JwtVerifierTest, ChecksTimesWithLeeway) {
  EXPECT_EQ(verify(hs256(R"({"topics":[]})")), JwtError::bad_claims);
  EXPECT_EQ(verify(hs256(R"({"exp":"soon"})")), JwtError::bad_claims);
  EXPECT_EQ(verify(hs256(R"({"exp":1799999996})")), JwtError::none);  // within 5 s
  EXPECT_EQ(verify(hs256(R"({"exp":1799999995})")), JwtError::expired);
  EXPECT_EQ(verify(hs256(R"({"exp":1799999999})"), {"", 0}), JwtError::expired);
  EXPECT_EQ(verify(hs256(R"({"exp":1900000000,"nbf":1800000010})")), JwtError::not_yet_valid);
  EXPECT_EQ(verify(hs256(R"({"exp":1900000000,"nbf":1800000004})")), JwtError::none);
  EXPECT_EQ(verify(hs256(R"({"exp":1900000000,"exp":1})")), JwtError::bad_claims);
}

TEST_F(JwtVerifierTest, ChecksTheAudience) {
  EXPECT_EQ(verify(hs256(R"({"exp":1900000000,"aud":"studio"})"), {"studio", 5}), JwtError::none);
  EXPECT_EQ(verify(hs256(R"({"exp":1900000000,"aud":["x","studio"]})"), {"studio", 5}),
            JwtError::none);
  EXPECT_EQ(verify(hs256(R"({"exp":1900000000,"aud":"other"})"), {"studio", 5}),
            JwtError::wrong_audience);
  EXPECT_EQ(verify(hs256(R"({"exp":1900000000})"), {"studio", 5}), JwtError::wrong_audience);
  EXPECT_EQ(verify(hs256(R"({"exp":1900000000,"aud":"studio"})")), JwtError::wrong_audience);
}

TEST_F(JwtVerifierTest, RefusesMalformedBase64url) {
  const std::string token = hs256(kClaims);
  const size_t dot = token.find('.');
  const std::string padded = token.substr(0, dot) + "=" + token.substr(dot);
  EXPECT_EQ(verify(padded), JwtError::malformed);
  std::string plus = token;
  plus[plus.rfind('.') + 1] = '+';
  EXPECT_EQ(verify(plus), JwtError::malformed);
  EXPECT_EQ(verify(""), JwtError::malformed);
  EXPECT_EQ(verify(".."), JwtError::malformed);
  EXPECT_EQ(verify(std::string(kMaxTokenBytes + 1, 'a')), JwtError::malformed);
}

TEST(JwtKeysTest, RefusesWeakKeys) {
  JwtKeys keys;
  std::string error;
  EXPECT_FALSE(keys.add_hmac_secret("short", error));
  PkeyPtr small(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}));
  EXPECT_FALSE(keys.add_public_key_pem(public_key_pem(small.get()), "small", error));
  PkeyPtr p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  EXPECT_FALSE(keys.add_public_key_pem(public_key_pem(p384.get()), "p384", error));
  EXPECT_FALSE(keys.add_public_key_pem("not a key", "x", error));
  EXPECT_TRUE(keys.empty());
}

TEST(MintTest, MintedTokensVerify) {
  JwtKeys keys;
  std::string error;
  ASSERT_TRUE(keys.add_hmac_secret(kSecret, error));
  const std::string token = mint_hs256_token(kSecret, {{"mic", "cam*"}, 60, "alice", ""}, kNow);
  JwtClaims claims;
  EXPECT_EQ(verify_jwt(token, keys, {}, kNow, claims), JwtError::none);
  EXPECT_EQ(claims.expires_at, kNow + 60);
  EXPECT_EQ(claims.subject, "alice");
  EXPECT_EQ(verify_jwt(token, keys, {}, kNow + 65, claims), JwtError::expired);
}

}  // namespace
}  // namespace levelcast
