#pragma once
// JwtKeys: the keys tokens are checked against. Each key allows exactly one algorithm, fixed
// when it is loaded: an HMAC secret HS256 only, a P-256 key ES256 only, an RSA key RS256 only.
// Built at start-up, then immutable: safe to read from any thread.
#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace levelcast {

enum class JwtAlgorithm : uint8_t { hs256, es256, rs256 };
std::string_view algorithm_name(JwtAlgorithm algorithm);

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

struct JwtKey {
  JwtAlgorithm algorithm = JwtAlgorithm::hs256;
  std::string kid;           // empty: matches tokens without a kid only
  std::string secret;        // hs256
  MacCtxPtr hmac;            // hs256: HMAC-SHA-256 keyed with `secret`, duplicated per check
                             // (fetching the algorithm for each token would cost more than it)
  PkeyPtr public_key;        // es256, rs256
};

class JwtKeys {
 public:
  static constexpr size_t kMinSecretBytes = 32;  // 256 bits, the size of the HS256 output

  // False (and `error` says why) for a secret shorter than kMinSecretBytes.
  bool add_hmac_secret(std::string secret, std::string& error);
  // A PEM public key: EC on P-256 (ES256) or RSA of at least 2048 bits (RS256).
  bool add_public_key_pem(std::string_view pem, std::string kid, std::string& error);
  // From files, as the options name them. A public key's kid is its file name without the
  // directory and the extension (keys/studio-2026.pem: "studio-2026").
  bool load_hmac_secret_file(const std::string& path, std::string& error);
  bool load_public_key_file(const std::string& path, std::string& error);

  const std::vector<JwtKey>& all() const { return keys_; }
  bool empty() const { return keys_.empty(); }

 private:
  std::vector<JwtKey> keys_;
};

// The PEM text (-----BEGIN PUBLIC KEY-----) of a key's public half: what --auth-public-key reads.
std::string public_key_pem(EVP_PKEY* key);

// The whole content of a file, or false with `error` set.
bool read_whole_file(const std::string& path, std::string& out, std::string& error);

}  // namespace levelcast
