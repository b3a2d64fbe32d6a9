// SPDX-License-Identifier: GPL-2.0-or-later
#include "daemon/daemon_config.h"

#include <filesystem>

#include "common/config_file.h"

namespace appliance {

namespace {
Status apply(DaemonConfig& c, const std::string& key, const std::string& value) {
    auto integer = [&](int& field, long long min, long long max) { return config::setInteger(field, key, value, min, max); };
    auto text = [&](std::string& field) { return config::setText(field, key, value); };
    if (key == "libvirt_uri") return text(c.libvirtUri);
    if (key == "instance") return text(c.instance);
    if (key == "admin_socket") return text(c.adminSocket);
    if (key == "state_db") return text(c.stateDb);
    if (key == "run_dir") return text(c.runDir);
    if (key == "share_dir") return text(c.shareDir);
    if (key == "disk_dir") return text(c.diskDir);
    if (key == "image_dir") return text(c.imageDir);
    if (key == "image_root") return text(c.imageRoot);
    if (key == "agent_auth_timeout_ms") return integer(c.agentAuthTimeoutMs, 100, 600000);
    if (key == "vms_read_timeout_ms") return integer(c.vmsReadTimeoutMs, 100, 600000);
    if (key == "vms_write_timeout_ms") return integer(c.vmsWriteTimeoutMs, 100, 600000);
    if (key == "agent_max_pending_per_source") return integer(c.agentMaxPendingPerSource, 1, 100000);
    if (key == "agent_max_pending") return integer(c.agentMaxPending, 1, 100000);
    if (key == "admin_max_clients") return integer(c.adminMaxClients, 2, 100000);
    if (key == "admin_reserved_for_admins") return integer(c.adminReservedForAdmins, 1, 100000);
    if (key == "admin_max_per_user") return integer(c.adminMaxPerUser, 1, 100000);
    if (key == "audit_max_rows") return integer(c.auditMaxRows, 10, 100000000);
    if (key == "audit_max_age_days") return integer(c.auditMaxAgeDays, 1, 36500);
    if (key == "admin_group") return text(c.adminGroup);
    if (key == "policy_dir") return text(c.policyDir);
    if (key == "agent_tcp_listen") return text(c.agentTcpListen);
    if (key == "agent_tcp_advertise") return text(c.agentTcpAdvertise);
    if (key == "tls_dir") return text(c.tlsDir);
    if (key == "agent_burst") return integer(c.agentBurst, 1, 1000000);
    if (key == "agent_rate_per_s") {
        int rate = 0;
        if (auto s = integer(rate, 1, 1000000); !s) return s;
        c.agentRatePerS = rate;
        return okStatus();
    }
    if (key == "ask_timeout_s") return integer(c.askTimeoutS, 1, 3600);
    if (key == "viewer_group") return text(c.viewerGroup);
    if (key == "qemu_user") return text(c.qemuUser);
    if (key == "qemu_group") return text(c.qemuGroup);
    if (key == "vm_uid_first" || key == "vm_uid_count") {
        // Ids below 65536 belong to the host's own users and groups (Debian, systemd).
        auto v = key == "vm_uid_first" ? config::toInteger(key, value, 65536, 4000000000LL)
                                       : config::toInteger(key, value, 0, 1000000);
        if (!v) return v.error();
        (key == "vm_uid_first" ? c.vmUidFirst : c.vmUidCount) = static_cast<uint32_t>(*v);
        return okStatus();
    }
    if (key == "domain_type") {
        if (value != "auto" && value != "kvm" && value != "qemu")
            return makeError(ErrorClass::InvalidArgument, "'domain_type' must be auto, kvm or qemu, got '" + value + "'");
        c.domainType = value;
        return okStatus();
    }
    if (key == "network") {
        if (value != "user" && value != "none")
            return makeError(ErrorClass::InvalidArgument, "'network' must be user or none, got '" + value + "'");
        c.network = value;
        return okStatus();
    }
    if (key == "shutdown_timeout_s") return integer(c.shutdownTimeoutS, 1, 3600);
    if (key == "stats_interval_ms") return integer(c.statsIntervalMs, 100, 60000);
    return makeError(ErrorClass::InvalidArgument, "unknown setting '" + key + "'; see applianced.conf.example");
}
}  // namespace

Result<DaemonConfig> loadDaemonConfig(const std::string& path, bool fileMustExist,
                                      const std::vector<std::string>& overrides) {
    DaemonConfig c;
    if (auto s = config::applySettings(path, fileMustExist, overrides,
                                       [&](const std::string& k, const std::string& v) { return apply(c, k, v); });
        !s)
        return s.error();
    if (c.imageRoot.empty()) c.imageRoot = std::filesystem::path(c.imageDir).parent_path().string();
    if (c.adminReservedForAdmins >= c.adminMaxClients)
        return makeError(ErrorClass::InvalidArgument, "admin_reserved_for_admins must be less than admin_max_clients");
    if (c.tlsDir.empty()) c.tlsDir = std::filesystem::path(c.stateDb).parent_path().string() + "/tls";
    return c;
}

}  // namespace appliance
