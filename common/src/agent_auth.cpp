// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/agent_auth.h"

#include <cstdlib>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace appliance::agent_auth {

namespace {
std::string hex(const unsigned char* p, std::size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 15];
    }
    return out;
}
}  // namespace

std::string randomHex(std::size_t bytes) {
    std::string raw(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), int(bytes)) != 1) std::abort();  // no entropy: stop
    return hex(reinterpret_cast<const unsigned char*>(raw.data()), bytes);
}

std::string proof(const std::string& secretHex, const std::string& challenge, const std::string& vm,
                  const std::string& serverFingerprint) {
    std::string message = challenge + ":" + vm + ":" + serverFingerprint;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secretHex.data(), int(secretHex.size()), reinterpret_cast<const unsigned char*>(message.data()),
         message.size(), mac, &len);
    return hex(mac, len);
}

bool equalConstantTime(const std::string& a, const std::string& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string fingerprintSha256(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!cert || X509_digest(cert, EVP_sha256(), md, &len) != 1) return "";
    return hex(md, len);
}

}  // namespace appliance::agent_auth
