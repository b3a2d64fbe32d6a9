// SPDX-License-Identifier: GPL-2.0-or-later
#include "agents/tls_identity.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <filesystem>
#include <memory>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/agent_auth.h"
#include "common/logging.h"

namespace appliance {

namespace {
template <class T, void (*F)(T*)>
struct Deleter {
    void operator()(T* p) const { F(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;

Result<std::string> toPem(const std::function<int(BIO*)>& write) {
    std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>> bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get()) != 1) return makeError(ErrorClass::Internal, "PEM encoding failed");
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, std::size_t(n));
}

// temp file, fsync, rename, fsync of the directory: after a crash the file is the old or the new one.
Status writeFileAtomically(const std::string& path, const std::string& content, mode_t mode) {
    const std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return makeError(ErrorClass::Unavailable, "cannot write " + tmp + ": " + std::strerror(errno));
    bool ok = ::fchmod(fd, mode) == 0 && ::write(fd, content.data(), content.size()) == ssize_t(content.size()) &&
              ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return makeError(ErrorClass::Unavailable, "cannot write " + path + ": " + std::strerror(errno));
    }
    std::string dir = std::filesystem::path(path).parent_path().string();
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)::fsync(dfd);
        ::close(dfd);
    }
    return okStatus();
}

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
    auto keyPem = toPem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
    auto certPem = toPem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); });
    if (!keyPem || !certPem) return makeError(ErrorClass::Internal, "cannot encode the agent server's TLS identity");
    // Key first: a crash between the two leaves a new key beside an old certificate, which the
    // next start finds mismatched and replaces; never a half-written file.
    if (auto s = writeFileAtomically(id.keyPath, *keyPem, 0600); !s) return s;
    return writeFileAtomically(id.certPath, *certPem, 0644);
}

// The identity on disk, if it is whole: a certificate and a key that parse and belong together.
Result<std::string> readFingerprint(const TlsIdentity& id) {
    FILE* cf = std::fopen(id.certPath.c_str(), "r");
    if (!cf) return makeError(ErrorClass::NotFound, id.certPath + " is missing");
    CertPtr cert(PEM_read_X509(cf, nullptr, nullptr, nullptr));
    std::fclose(cf);
    FILE* kf = std::fopen(id.keyPath.c_str(), "r");
    if (!kf) return makeError(ErrorClass::NotFound, id.keyPath + " is missing");
    KeyPtr key(PEM_read_PrivateKey(kf, nullptr, nullptr, nullptr));
    std::fclose(kf);
    if (!cert) return makeError(ErrorClass::MalformedAnswer, id.certPath + " is not a whole PEM certificate");
    if (!key) return makeError(ErrorClass::MalformedAnswer, id.keyPath + " is not a whole PEM key");
    if (X509_check_private_key(cert.get(), key.get()) != 1)
        return makeError(ErrorClass::MalformedAnswer, id.certPath + " and " + id.keyPath + " do not belong together");
    return agent_auth::fingerprintSha256(cert.get());
}
}  // namespace

Result<TlsIdentity> loadOrCreateTlsIdentity(const std::string& dir) {
    TlsIdentity id{dir + "/agent-cert.pem", dir + "/agent-key.pem", ""};
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    ::chmod(dir.c_str(), 0700);
    auto fingerprint = readFingerprint(id);
    if (!fingerprint) {
        bool existed = fingerprint.error().cls != ErrorClass::NotFound ||
                       std::filesystem::exists(id.certPath) || std::filesystem::exists(id.keyPath);
        if (existed)
            logging::get("appliance.agents")->warn("{}; making a new TLS identity (agents follow the new fingerprint in their "
                                           "directory)",
                                           fingerprint.error().message);
        if (auto s = create(id); !s) return s.error();
        fingerprint = readFingerprint(id);
        if (!fingerprint) return makeError(ErrorClass::Internal, "the new TLS identity cannot be read back: " + fingerprint.error().message);
    }
    ::chmod(id.keyPath.c_str(), 0600);
    id.fingerprint = *fingerprint;
    return id;
}

Status configureServerContext(asio::ssl::context& ctx, const TlsIdentity& id) {
    asio::error_code ec;
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    // Idle connections give their read and write buffers back (about 34 KiB each): a thousand
    // quiet agents then cost little memory.
    SSL_CTX_set_mode(ctx.native_handle(), SSL_MODE_RELEASE_BUFFERS);
    ctx.use_certificate_chain_file(id.certPath, ec);
    if (!ec) ctx.use_private_key_file(id.keyPath, asio::ssl::context::pem, ec);
    if (ec) return makeError(ErrorClass::Internal, "cannot load the agent server's TLS identity: " + ec.message());
    return okStatus();
}

}  // namespace appliance
