#include "push/auth/jwt_signer.hpp"

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>

#include <array>
#include <memory>

#include "push/auth/base64url.hpp"

namespace levelcast {
namespace {
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

std::string digest_sign(EVP_PKEY* key, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  size_t length = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, bytes, data.size()) != 1) {
    return {};
  }
  std::string out(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, bytes,
                     data.size()) != 1) {
    return {};
  }
  out.resize(length);
  return out;
}

// DER ECDSA-Sig-Value to JWS's fixed-size R || S.
std::string der_to_raw_p256(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (sig == nullptr) return {};
  std::string raw(64, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  const bool ok = BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, 32) == 32 &&
                  BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + 32, 32) == 32;
  ECDSA_SIG_free(sig);
  return ok ? raw : std::string{};
}

struct JsonFree {
  void operator()(json_t* value) const { json_decref(value); }
};
}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  size_t length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
                mac.size(), &length) == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(mac.data()), length);
}

MacCtxPtr keyed_hmac_sha256(std::string_view key) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) return nullptr;
  MacCtxPtr ctx(EVP_MAC_CTX_new(mac));
  EVP_MAC_free(mac);  // the context keeps its own reference
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                               OSSL_PARAM_construct_end()};
  if (!ctx || EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()),
                           key.size(), params) != 1) {
    return nullptr;
  }
  return ctx;
}

std::string hmac_sha256(const EVP_MAC_CTX* keyed, std::string_view data) {
  MacCtxPtr ctx(EVP_MAC_CTX_dup(keyed));
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  size_t length = 0;
  if (!ctx || EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()),
                             data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), mac.data(), &length, mac.size()) != 1) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(mac.data()), length);
}

std::string sign_jws(std::string_view header_json, std::string_view payload_json,
                     JwtAlgorithm algorithm, std::string_view secret, EVP_PKEY* private_key) {
  const std::string input = encode_base64url(header_json) + "." + encode_base64url(payload_json);
  std::string signature;
  switch (algorithm) {
    case JwtAlgorithm::hs256: signature = hmac_sha256(secret, input); break;
    case JwtAlgorithm::es256:
      if (private_key != nullptr) signature = der_to_raw_p256(digest_sign(private_key, input));
      break;
    case JwtAlgorithm::rs256:
      if (private_key != nullptr) signature = digest_sign(private_key, input);
      break;
  }
  if (signature.empty()) return {};
  return input + "." + encode_base64url(signature);
}

std::string mint_hs256_token(std::string_view secret, const TokenRequest& request, int64_t now_s) {
  std::unique_ptr<json_t, JsonFree> payload(json_object());
  json_object_set_new(payload.get(), "exp", json_integer(now_s + request.ttl_s));
  json_object_set_new(payload.get(), "iat", json_integer(now_s));
  if (!request.subject.empty()) {
    json_object_set_new(payload.get(), "sub", json_string(request.subject.c_str()));
  }
  if (!request.audience.empty()) {
    json_object_set_new(payload.get(), "aud", json_string(request.audience.c_str()));
  }
  json_t* topics = json_array();
  for (const std::string& t : request.topics) json_array_append_new(topics, json_string(t.c_str()));
  json_object_set_new(payload.get(), "topics", topics);
  char* text = json_dumps(payload.get(), JSON_COMPACT | JSON_SORT_KEYS);
  if (text == nullptr) return {};
  const std::string payload_json(text);
  free(text);
  return sign_jws(R"({"alg":"HS256","typ":"JWT"})", payload_json, JwtAlgorithm::hs256, secret,
                  nullptr);
}

}  // namespace levelcast
