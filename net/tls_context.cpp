#include "net/tls_context.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/check.hpp"
#include "core/clock.hpp"
#include "net/socket.hpp"

namespace levelcast {
namespace {

constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
// TLS 1.2 suites with forward secrecy and AEAD only; TLS 1.3 keeps OpenSSL's defaults.
constexpr const char* kTls12Ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20";

// Only http/1.1 is spoken: a client that offers ALPN without it is refused with the
// no_application_protocol alert, one that offers none is served.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kAlpnHttp11, sizeof kAlpnHttp11, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

// Seals (enc=1) or opens a session ticket with the ring's keys. 0: unknown or expired key (full
// handshake); 2: opened with an older key (OpenSSL issues a fresh ticket).
int ticket_key_callback(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                        EVP_MAC_CTX* mac, int enc) {
  auto* ring = static_cast<TicketKeyRing*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  const int64_t now_s = mono_nanos() / kNanosPerSecond;
  TicketKeyRing::Key key;
  bool renew = false;
  if (enc == 1) {
    key = ring->sealing_key(now_s);
    std::memcpy(name, key.name.data(), key.name.size());
    if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1) return -1;
  } else {
    const auto found = ring->find(name, now_s);
    if (!found) return 0;
    key = found->key;
    renew = !found->sealing;
  }
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.hmac_key.data(), key.hmac_key.size()),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_end()};
  const int ok = EVP_MAC_CTX_set_params(mac, params) == 1 &&
                 (enc == 1 ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes_key.data(), iv)
                           : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes_key.data(), iv)) == 1;
  OPENSSL_cleanse(&key, sizeof key);  // the copy only; the ring keeps the key
  if (!ok) return -1;
  return renew ? 2 : 1;
}

// ECDSA on P-256, or RSA of at least 2048 bits.
bool acceptable_key(EVP_PKEY* key, std::string& error) {
  const int type = EVP_PKEY_get_base_id(key);
  if (type == EVP_PKEY_RSA) {
    if (EVP_PKEY_get_bits(key) >= 2048) return true;
    error = "RSA key shorter than 2048 bits";
    return false;
  }
  if (type == EVP_PKEY_EC) {
    char group[64] = {};
    size_t length = 0;
    if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) == 1 &&
        (std::strcmp(group, "prime256v1") == 0 || std::strcmp(group, "P-256") == 0)) {
      return true;
    }
    error = std::string("ECDSA key on curve ") + group + ", not P-256";
    return false;
  }
  error = "key is neither ECDSA P-256 nor RSA";
  return false;
}

bool configure(SSL_CTX* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE
#ifdef SSL_OP_ENABLE_KTLS
                               | SSL_OP_ENABLE_KTLS
#endif
  );
  // Idle connections keep no record buffers; the worker's own buffers carry the bytes.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  // Stateless resumption only: tickets sealed with the ring, nothing cached per session here.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 1);
  SSL_CTX_set_alpn_select_cb(ctx, select_alpn, nullptr);
  return SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) == 1 &&
         SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_key_callback) == 1;
}

bool load_pair(SSL_CTX* ctx, const TlsFiles& files, std::string& error) {
  if (SSL_CTX_use_certificate_chain_file(ctx, files.cert_file.c_str()) != 1) {
    error = "certificate " + files.cert_file + ": " + take_openssl_error("unknown error");
    return false;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, files.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    error = "key " + files.key_file + ": " + take_openssl_error("unknown error");
    return false;
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    error = "key " + files.key_file + " does not match certificate " + files.cert_file;
    ERR_clear_error();
    return false;
  }
  return acceptable_key(SSL_CTX_get0_privatekey(ctx), error);
}

int64_t not_after(X509* leaf) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(leaf), &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}


}  // namespace

std::string take_openssl_error(const char* fallback) {
  char text[256] = {};
  unsigned long code = 0;
  unsigned long last = 0;
  while ((code = ERR_get_error()) != 0) last = code;
  if (last == 0) return fallback;
  ERR_error_string_n(last, text, sizeof text);
  return text;
}

std::unique_ptr<TlsContext> TlsContext::build(const TlsFiles& files,
                                              std::shared_ptr<TicketKeyRing> ring,
                                              std::string& error) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx || !configure(ctx.get())) {
    error = "cannot set up TLS: " + take_openssl_error("unknown error");
    return nullptr;
  }
  if (!load_pair(ctx.get(), files, error)) return nullptr;
  X509* leaf = SSL_CTX_get0_certificate(ctx.get());
  std::unique_ptr<TlsContext> context(new TlsContext);
  context->not_after_unix_ = not_after(leaf);
  if (context->not_after_unix_ <= std::time(nullptr)) {
    error = "certificate " + files.cert_file + " has expired";
    return nullptr;
  }
  char subject[256] = {};
  X509_NAME_oneline(X509_get_subject_name(leaf), subject, sizeof subject);
  context->subject_ = subject;
  // The ring outlives every SSL_CTX: the store that owns it outlives the workers.
  SSL_CTX_set_app_data(ctx.get(), ring.get());
  context->ring_ = std::move(ring);
  context->ctx_ = std::move(ctx);
  return context;
}

TlsContextStore::TlsContextStore(std::unique_ptr<TlsContext> first,
                                 std::shared_ptr<TicketKeyRing> ring)
    : ring_(std::move(ring)), current_(std::move(first)) {
  not_after_.store(current_->not_after_unix(), std::memory_order_relaxed);
}

std::unique_ptr<TlsContextStore> TlsContextStore::open(const TlsFiles& files,
                                                       std::shared_ptr<TicketKeyRing> ring,
                                                       std::string& error) {
  auto first = TlsContext::build(files, ring, error);
  if (!first) return nullptr;
  return std::make_unique<TlsContextStore>(std::move(first), std::move(ring));
}

bool TlsContextStore::reload(const TlsFiles& files, std::string& error) {
  auto next = TlsContext::build(files, ring_, error);
  if (!next) return false;
  const int64_t expiry = next->not_after_unix();
  {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);  // SSLs made from the old SSL_CTX keep it alive
  }
  not_after_.store(expiry, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return true;
}

SSL_CTX* TlsContextStore::acquire(uint64_t& generation) const {
  std::lock_guard lock(mutex_);
  generation = generation_.load(std::memory_order_acquire);
  SSL_CTX* ctx = current_->get();
  SSL_CTX_up_ref(ctx);
  return ctx;
}

bool kernel_tls_available(std::string& why) {
  std::string error;
  UniqueFd listener = listen_tcp("127.0.0.1", 0, 1, error);
  if (!listener.valid()) {
    why = "kTLS probe: " + error;
    return false;
  }
  UniqueFd client(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(local_port(listener.get()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (!client.valid() ||
      ::connect(client.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    why = std::string("kTLS probe: cannot connect on loopback: ") + std::strerror(errno);
    return false;
  }
  // The "tls" upper layer protocol can only be set on a connected socket.
  if (::setsockopt(client.get(), SOL_TCP, TCP_ULP, "tls", sizeof "tls") != 0) {
    why = errno == ENOENT ? "the kernel has no TLS module (CONFIG_TLS unset)"
                          : std::string("TCP_ULP tls refused: ") + std::strerror(errno);
    return false;
  }
  why = "the kernel offers TLS offload (TCP_ULP tls)";
  return true;
}

}  // namespace levelcast
