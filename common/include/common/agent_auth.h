// SPDX-License-Identifier: GPL-2.0-or-later
// Challenge-response for agents that reach the host over TCP+TLS. The per-VM secret never crosses
// the wire: the server sends a fresh random challenge in its greeting, the agent answers with
//   proof = hex(HMAC-SHA256(key = secret, message = challenge ":" vm ":" server_fingerprint))
// so a proof is bound to one connection (replay fails), one VM, and the server's TLS certificate
// (a relay through another TLS server fails). The TLS certificate is pinned by the SHA-256
// fingerprint the directory publishes.
#pragma once

#include <string>

#include <openssl/x509.h>

namespace appliance::agent_auth {

std::string randomHex(std::size_t bytes);
std::string proof(const std::string& secretHex, const std::string& challenge, const std::string& vm,
                  const std::string& serverFingerprint);
bool equalConstantTime(const std::string& a, const std::string& b);
/// Lower-case hex SHA-256 of the certificate's DER encoding.
std::string fingerprintSha256(X509* cert);

}  // namespace appliance::agent_auth
