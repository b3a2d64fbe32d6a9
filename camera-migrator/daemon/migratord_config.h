// SPDX-License-Identifier: GPL-2.0-or-later
// camera-migratord's configuration: defaults, then /etc/appliance/camera-migratord.conf (or
// --config), then --set key=value overrides. Every key is in camera-migratord.conf.example.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace appliance::migration {

inline constexpr const char* kDefaultMigratordConfig = "/etc/appliance/camera-migratord.conf";

struct MigratordConfig {
    std::string stateDb = "/var/lib/camera-migrator/migrator.db";
    std::string adminSocket = "/run/camera-migrator/admin.sock";
    std::string adminGroup = "appliance-admin";
    std::string viewerGroup = "appliance-viewer";
    std::string applianceSocket = "/run/appliance/admin.sock";  ///< applianced's admin API
    std::string guestLoopbackAlias = "10.0.2.2";
    int verifyTimeoutS = 240;
    int restoreTimeoutS = 240;
    int detachTimeoutS = 90;
    int overlapTimeoutS = 120;   ///< make-before-break: the wait for the recordings to overlap on disk
    int gapReadTimeoutS = 60;    ///< the wait at commit for both recordings to show the gap
    int newInstanceTimeoutS = 1200;  ///< a plan's new VMS instance must be ready within this
    int pollIntervalMs = 2000;
    int vmsReadTimeoutMs = 90000;
    int vmsWriteTimeoutMs = 180000;
};

Result<MigratordConfig> loadMigratordConfig(const std::string& path, bool fileMustExist,
                                            const std::vector<std::string>& overrides);

}  // namespace appliance::migration
