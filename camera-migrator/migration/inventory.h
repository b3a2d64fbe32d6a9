// SPDX-License-Identifier: GPL-2.0-or-later
// Inventory and reconciliation: which VMS instances run (applianced's running VMs whose agent has
// a VMS), what each VMS records (its own camera list), and how that fits what camera-migratord
// knows. A camera a VMS records and we do not know is imported (identity = the ONVIF endpoint
// reference the VMS holds); the same camera in two VMSs, a camera at a new address, or one that
// is assigned to a VMS that no longer has it is marked as such, never silently "fixed".
// Context: a worker thread (the calls block on the VMSs).
#pragma once

#include "migration/camera_checks.h"
#include "migration/migration_store.h"
#include "onvif/ws_discovery.h"
#include "migration/uri_views.h"
#include "migration/vms_gateway.h"

namespace appliance::migration {

class Inventory {
public:
    Inventory(MigrationStore& store, VmsGateway& vms, UriViews views) : m_store(store), m_vms(vms), m_views(std::move(views)) {}

    /// Asks every VMS and reconciles; a summary with a sentence for each finding.
    Result<Json> refresh();
    /// Registers a camera by hand (or updates it): its identity, where it is, what to record.
    /// A known camera at a new address keeps its identity and says where it was.
    Status registerCamera(CameraRecord camera);
    /// WS-Discovery (a multicast probe, or a direct one to `directAddress`) and, for each camera
    /// that answers with a service address on its own host: a new one is added as "discovered"
    /// (no VMS records it yet); a known one at its known host is refreshed; a known one at a new
    /// host is marked changed-address with where it was, but its device URL (where its password
    /// goes) changes only when an administrator confirms it with `camera add`. Cameras with
    /// stored credentials at a trusted URL are probed (manufacturer, model, firmware). An
    /// endpoint reference answered from two addresses is a conflict, reported and not merged.
    Result<Json> discover(const camera::DiscoveryOptions& options, const std::string& directAddress, CameraChecks& checks);

private:
    MigrationStore& m_store;
    VmsGateway& m_vms;
    UriViews m_views;
};

}  // namespace appliance::migration
