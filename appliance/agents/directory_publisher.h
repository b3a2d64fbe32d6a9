// SPDX-License-Identifier: GPL-2.0-or-later
// Publishes each VM's directory.json in its read-only share: where the agent server is, this VM's
// identity, the protocol version, and this VM's secret only. Rewritten atomically (write, fsync,
// rename) and only when its content changes, so an agent polling it never reads half a file.
// Context: core thread.
#pragma once

#include <string>

#include "common/protocol.h"
#include "core/inventory.h"
#include "core/qemu_identity.h"
#include "state/state_store.h"

namespace appliance {

struct DirectorySettings {
    std::string shareRoot;
    QemuUsers qemuUsers;  ///< the share is readable by the VM's own QEMU user only
};

/// A TCP endpoint for agents without the virtio-serial channel (empty host: none).
struct TcpEndpoint {
    std::string host;
    int port = 0;
    std::string tlsFingerprintSha256;
};

class DirectoryPublisher {
public:
    using Json = protocol::Json;
    DirectoryPublisher(StateStore& store, DirectorySettings settings) : m_store(store), m_settings(std::move(settings)) {}

    Status publish(const VmInfo& vm);
    void onInventoryChange(const InventoryChange& change, const Inventory& inventory);
    void setTcpEndpoint(const TcpEndpoint& endpoint, const Inventory& inventory);
    Json document(const VmInfo& vm, const std::string& secret) const;

private:
    StateStore& m_store;
    DirectorySettings m_settings;
    TcpEndpoint m_tcp;
};

}  // namespace appliance
