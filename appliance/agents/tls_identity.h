// SPDX-License-Identifier: GPL-2.0-or-later
// The agent server's TLS identity: a key and self-signed certificate kept in applianced's state
// directory (created on first start), whose SHA-256 fingerprint the directory publishes so agents
// can pin it.
#pragma once

#include <string>

#include <asio/ssl/context.hpp>

#include "common/result.h"

namespace appliance {

struct TlsIdentity {
    std::string certPath;
    std::string keyPath;
    std::string fingerprint;
};

/// Loads DIR/agent-cert.pem and DIR/agent-key.pem, creating them if missing.
Result<TlsIdentity> loadOrCreateTlsIdentity(const std::string& dir);
Status configureServerContext(asio::ssl::context& ctx, const TlsIdentity& id);

}  // namespace appliance
