// SPDX-License-Identifier: GPL-2.0-or-later
// applianced's configuration: defaults, then /etc/appliance/applianced.conf (or --config), then
// --set key=value overrides. Every key is documented in appliance/applianced.conf.example.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace appliance {

struct DaemonConfig {
    std::string libvirtUri = "qemu:///system";
    std::string instance = "default";
    std::string adminSocket = "/run/appliance/admin.sock";
    std::string stateDb = "/var/lib/appliance/applianced.db";
    std::string runDir = "/run/appliance/vms";
    std::string shareDir = "/var/lib/appliance/share";
    std::string diskDir = "/var/lib/appliance/disks";
    std::string imageDir = "/var/lib/appliance/images/test-guest";
    std::string imageRoot;  ///< vm.create takes images from here only; default: image_dir's parent
    std::string adminGroup = "appliance-admin";
    std::string viewerGroup = "appliance-viewer";
    std::string qemuUser = "libvirt-qemu";
    std::string qemuGroup = "libvirt-qemu";
    uint32_t vmUidFirst = 1879048192;  ///< each new VM's QEMU gets its own user id from here on
    uint32_t vmUidCount = 65536;       ///< 0: every VM's QEMU runs as qemu_user
    std::string domainType = "auto";
    std::string network = "user";
    int shutdownTimeoutS = 60;
    int statsIntervalMs = 2000;
    std::string policyDir = "/etc/appliance/policy.d";
    int askTimeoutS = 30;
    std::string agentTcpListen = "127.0.0.1:0";  ///< "off" disables it
    std::string agentTcpAdvertise = "10.0.2.2";  ///< the host as guests with user networking see it
    double agentRatePerS = 10;   ///< per agent connection
    int agentBurst = 20;
    std::string tlsDir;                          ///< default: beside state_db, in tls/
    int agentAuthTimeoutMs = 5000;
    int vmsReadTimeoutMs = 20000;   ///< how long vms.info/cameras/status wait for a guest's answer
    int vmsWriteTimeoutMs = 120000;  ///< vms.camera.add/remove (the VMS stores and starts the camera; slow under TCG)
    int agentMaxPendingPerSource = 64;
    int agentMaxPending = 256;
    int adminMaxClients = 1024;
    int adminReservedForAdmins = 64;
    int adminMaxPerUser = 128;
    int auditMaxRows = 200000;
    int auditMaxAgeDays = 400;
};

inline constexpr const char* kDefaultConfigPath = "/etc/appliance/applianced.conf";

/// Builds the configuration from a file (optional if `fileMustExist` is false) and overrides.
Result<DaemonConfig> loadDaemonConfig(const std::string& path, bool fileMustExist,
                                      const std::vector<std::string>& overrides);

}  // namespace appliance
