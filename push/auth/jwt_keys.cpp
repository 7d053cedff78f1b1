#include "push/auth/jwt_keys.hpp"

#include "push/auth/jwt_signer.hpp"

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace levelcast {
namespace {
constexpr int kMinRsaBits = 2048;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

std::string file_stem(const std::string& path) {
  const size_t slash = path.rfind('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const size_t dot = name.find('.');
  if (dot != std::string::npos && dot > 0) name.resize(dot);
  return name;
}

bool is_p256(EVP_PKEY* key) {
  std::array<char, 64> group{};
  size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                     &length) != 1) {
    return false;
  }
  const std::string_view name(group.data(), length);
  return name == "prime256v1" || name == "P-256" || name == "secp256r1";
}
}  // namespace

std::string_view algorithm_name(JwtAlgorithm algorithm) {
  switch (algorithm) {
    case JwtAlgorithm::hs256: return "HS256";
    case JwtAlgorithm::es256: return "ES256";
    case JwtAlgorithm::rs256: return "RS256";
  }
  return "?";
}

std::string public_key_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

bool read_whole_file(const std::string& path, std::string& out, std::string& error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = fmt::format("cannot read '{}': {}", path, std::strerror(errno));
    return false;
  }
  std::ostringstream text;
  text << file.rdbuf();
  out = text.str();
  return true;
}

bool JwtKeys::add_hmac_secret(std::string secret, std::string& error) {
  if (secret.size() < kMinSecretBytes) {
    error = fmt::format("the HMAC secret has {} bytes; HS256 needs at least {}", secret.size(),
                        kMinSecretBytes);
    return false;
  }
  JwtKey key;
  key.algorithm = JwtAlgorithm::hs256;
  key.hmac = keyed_hmac_sha256(secret);
  if (!key.hmac) {
    error = "OpenSSL has no HMAC-SHA-256";
    return false;
  }
  key.secret = std::move(secret);
  keys_.push_back(std::move(key));
  return true;
}

bool JwtKeys::add_public_key_pem(std::string_view pem, std::string kid, std::string& error) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) {
    error = "not a PEM public key (-----BEGIN PUBLIC KEY-----)";
    return false;
  }
  JwtKey entry;
  if (EVP_PKEY_is_a(key.get(), "EC")) {
    if (!is_p256(key.get())) {
      error = "an EC key must be on P-256 (ES256)";
      return false;
    }
    entry.algorithm = JwtAlgorithm::es256;
  } else if (EVP_PKEY_is_a(key.get(), "RSA")) {
    if (EVP_PKEY_get_bits(key.get()) < kMinRsaBits) {
      error = fmt::format("an RSA key needs at least {} bits", kMinRsaBits);
      return false;
    }
    entry.algorithm = JwtAlgorithm::rs256;
  } else {
    error = "only EC P-256 (ES256) and RSA (RS256) public keys are supported";
    return false;
  }
  for (const JwtKey& other : keys_) {
    if (other.public_key && other.kid == kid) {
      error = fmt::format("two public keys named '{}' (the kid is the file name)", kid);
      return false;
    }
  }
  entry.kid = std::move(kid);
  entry.public_key = std::move(key);
  keys_.push_back(std::move(entry));
  return true;
}

bool JwtKeys::load_hmac_secret_file(const std::string& path, std::string& error) {
  std::string secret;
  if (!read_whole_file(path, secret, error)) return false;
  // `echo secret > file` adds a line end that is not part of the secret.
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (!add_hmac_secret(std::move(secret), error)) {
    error = fmt::format("'{}': {}", path, error);
    return false;
  }
  return true;
}

bool JwtKeys::load_public_key_file(const std::string& path, std::string& error) {
  std::string pem;
  if (!read_whole_file(path, pem, error)) return false;
  if (!add_public_key_pem(pem, file_stem(path), error)) {
    error = fmt::format("'{}': {}", path, error);
    return false;
  }
  return true;
}

}  // namespace levelcast
