// SPDX-License-Identifier: GPL-2.0-or-later
#include "agents/tls_identity.h"

#include <cstdio>
#include <filesystem>
#include <memory>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include "common/agent_auth.h"

namespace appliance {

namespace {
template <class T, void (*F)(T*)>
struct Deleter {
    void operator()(T* p) const { F(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;

Status create(const TlsIdentity& id) {
    KeyPtr key(EVP_EC_gen("P-256"));
    CertPtr cert(X509_new());
    if (!key || !cert) return makeError(ErrorClass::Internal, "cannot generate the agent server's TLS key");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), long(std::time(nullptr)));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 20L * 365 * 24 * 3600);  // pinned by fingerprint, not by date
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("applianced agent server"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
        return makeError(ErrorClass::Internal, "cannot sign the agent server's TLS certificate");
    mode_t old = ::umask(077);
    FILE* kf = std::fopen(id.keyPath.c_str(), "w");
    FILE* cf = std::fopen(id.certPath.c_str(), "w");
    ::umask(old);
    bool ok = kf && cf && PEM_write_PrivateKey(kf, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1 &&
              PEM_write_X509(cf, cert.get()) == 1;
    if (kf) std::fclose(kf);
    if (cf) std::fclose(cf);
    if (!ok) return makeError(ErrorClass::Unavailable, "cannot write the agent server's TLS key to " + id.keyPath);
    return okStatus();
}
}  // namespace

Result<TlsIdentity> loadOrCreateTlsIdentity(const std::string& dir) {
    TlsIdentity id{dir + "/agent-cert.pem", dir + "/agent-key.pem", ""};
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (!std::filesystem::exists(id.certPath) || !std::filesystem::exists(id.keyPath))
        if (auto s = create(id); !s) return s.error();
    FILE* cf = std::fopen(id.certPath.c_str(), "r");
    if (!cf) return makeError(ErrorClass::Unavailable, "cannot read " + id.certPath);
    CertPtr cert(PEM_read_X509(cf, nullptr, nullptr, nullptr));
    std::fclose(cf);
    if (!cert)
        return makeError(ErrorClass::Internal, id.certPath + " is not a PEM certificate; delete it and " + id.keyPath +
                                                   " and applianced makes a new pair (agents follow the directory)");
    id.fingerprint = agent_auth::fingerprintSha256(cert.get());
    return id;
}

Status configureServerContext(asio::ssl::context& ctx, const TlsIdentity& id) {
    asio::error_code ec;
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    ctx.use_certificate_chain_file(id.certPath, ec);
    if (!ec) ctx.use_private_key_file(id.keyPath, asio::ssl::context::pem, ec);
    if (ec) return makeError(ErrorClass::Internal, "cannot load the agent server's TLS identity: " + ec.message());
    return okStatus();
}

}  // namespace appliance
