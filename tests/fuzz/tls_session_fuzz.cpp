// Fuzzes levelcast's own TLS glue (net/tls_session.hpp, net/tls_context.hpp): the custom BIO
// over the worker's shared buffers, the handshake step, the read loop, as a worker drives them
// (net/worker_tls.cpp): ciphertext arrives in chunks, each fed to the session and then run
// through handshake() until done, read() after. OpenSSL parses the records; what is checked is
// ours: every fed byte is taken (OpenSSL keeps a partial record itself, nothing is left in the
// worker's buffer when the session asks for more), plaintext never overruns the buffer given,
// nothing more happens after a failure or close, a session that finished its handshake can
// encrypt, and nothing leaks (ASan).
//
// Input: [chunk length byte: b + 1] [client bytes...]. The seeds (tests/fuzz/corpus/tls_session)
// start with real ClientHellos (TLS 1.3, TLS 1.2, with and without ALPN), made by
// tests/fuzz/make_tls_corpus.py with Python's ssl.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>

#include "net/tls_context.hpp"
#include "net/tls_session.hpp"
#include "tests/fuzz/invariant.hpp"

namespace {

using namespace levelcast;
using fuzz::require;

// An ECDSA P-256 key and a self-signed certificate, written once to temporary files.
TlsFiles make_pair_files() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("fuzz"), -1, -1, 0);
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  X509_sign(cert, key, EVP_sha256());
  const std::string base = "/tmp/levelcast-fuzz-tls-" + std::to_string(::getpid());
  TlsFiles files{base + ".pem", base + ".key"};
  FILE* f = std::fopen(files.cert_file.c_str(), "w");
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen(files.key_file.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
  return files;
}

const TlsContext& context() {
  static const std::unique_ptr<TlsContext> made = [] {
    const TlsFiles files = make_pair_files();
    std::string error;
    auto built = TlsContext::build(files, std::make_shared<TicketKeyRing>(12 * 3600, 0), error);
    std::remove(files.cert_file.c_str());
    std::remove(files.key_file.c_str());
    require(built != nullptr, "the fuzz certificate is usable");
    return built;
  }();
  return *made;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t chunk = static_cast<size_t>(data[0]) + 1;
  std::span<const uint8_t> rest(data + 1, size - 1);
  TlsBuffers buffers;
  TlsSession session(context().get(), buffers);
  require(session.valid(), "a session starts");
  uint8_t plain[512];  // smaller than a record: reads come in pieces
  bool ended = false;
  while (!rest.empty() && !ended) {
    const auto piece = rest.first(std::min(chunk, rest.size()));
    rest = rest.subspan(piece.size());
    buffers.feed(piece);
    if (!session.handshake_done()) {
      const TlsStatus status = session.handshake();
      if (status == TlsStatus::failed || status == TlsStatus::closed) {
        session.take_error();
        ended = true;
        break;
      }
      if (status == TlsStatus::again) {
        require(buffers.input_left == 0, "a waiting handshake has taken every fed byte");
        buffers.scratch.clear();
        continue;
      }
    }
    buffers.scratch.clear();
    for (int reads = 0; reads < 100000; ++reads) {
      size_t n = 0;
      const TlsStatus status = session.read(plain, n);
      require(n <= sizeof plain, "plaintext fits the buffer");
      if (status == TlsStatus::ok) continue;
      if (status == TlsStatus::again) {
        require(buffers.input_left == 0, "a waiting read has taken every fed byte");
      } else {
        session.take_error();
        ended = true;
      }
      break;
    }
    buffers.scratch.clear();
  }
  if (!ended && session.handshake_done()) {
    const uint8_t frame[] = {0x81, 0x02, 'o', 'k'};
    require(session.encrypt(frame), "an established session encrypts");
    require(!buffers.scratch.empty(), "encrypting makes a record");
  }
  return 0;
}
