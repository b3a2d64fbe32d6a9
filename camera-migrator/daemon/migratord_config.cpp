// SPDX-License-Identifier: GPL-2.0-or-later
#include "daemon/migratord_config.h"

#include "common/config_file.h"

namespace appliance::migration {

namespace {

Status apply(MigratordConfig& c, const std::string& key, const std::string& value) {
    auto integer = [&](int& field, long long min, long long max) { return config::setInteger(field, key, value, min, max); };
    auto text = [&](std::string& field) { return config::setText(field, key, value); };
    if (key == "state_db") return text(c.stateDb);
    if (key == "admin_socket") return text(c.adminSocket);
    if (key == "admin_group") return text(c.adminGroup);
    if (key == "viewer_group") return text(c.viewerGroup);
    if (key == "appliance_socket") return text(c.applianceSocket);
    if (key == "guest_loopback_alias") return text(c.guestLoopbackAlias);
    if (key == "verify_timeout_s") return integer(c.verifyTimeoutS, 5, 3600);
    if (key == "restore_timeout_s") return integer(c.restoreTimeoutS, 5, 3600);
    if (key == "detach_timeout_s") return integer(c.detachTimeoutS, 5, 3600);
    if (key == "overlap_timeout_s") return integer(c.overlapTimeoutS, 0, 3600);
    if (key == "gap_read_timeout_s") return integer(c.gapReadTimeoutS, 0, 3600);
    if (key == "new_instance_timeout_s") return integer(c.newInstanceTimeoutS, 5, 24 * 3600);
    if (key == "poll_interval_ms") return integer(c.pollIntervalMs, 100, 60000);
    if (key == "vms_read_timeout_ms") return integer(c.vmsReadTimeoutMs, 1000, 600000);
    if (key == "vms_write_timeout_ms") return integer(c.vmsWriteTimeoutMs, 1000, 600000);
    return makeError(ErrorClass::InvalidArgument, "unknown setting '" + key + "'; see camera-migratord.conf.example");
}

}  // namespace

Result<MigratordConfig> loadMigratordConfig(const std::string& path, bool fileMustExist,
                                            const std::vector<std::string>& overrides) {
    MigratordConfig c;
    if (auto s = config::applySettings(path, fileMustExist, overrides,
                                       [&](const std::string& k, const std::string& v) { return apply(c, k, v); });
        !s)
        return s.error();
    return c;
}

}  // namespace appliance::migration
