// SPDX-License-Identifier: GPL-2.0-or-later
// Which adapter: the product named, or ("auto") the one whose configuration is installed here.
#include "adapters/vms_adapter.h"

#include <sys/stat.h>

#include "adapters/motion_adapter.h"
#include "adapters/zoneminder_adapter.h"

namespace appliance::agent {

namespace {
constexpr const char* kMotionConf = "/etc/motion/motion.conf";
constexpr const char* kZmConf = "/etc/zm/zm.conf";

bool exists(const char* path) {
    struct stat st{};
    return ::stat(path, &st) == 0;
}
}  // namespace

Result<std::unique_ptr<VmsAdapter>> makeVmsAdapter(const std::string& product) {
    std::string p = product;
    if (p == "auto") {
        const bool motion = exists(kMotionConf), zm = exists(kZmConf);
        if (motion && zm)
            return makeError(ErrorClass::Conflict, std::string("both motion (") + kMotionConf + ") and ZoneMinder (" + kZmConf +
                                                       ") are installed; name the product (motion or zoneminder)");
        if (!motion && !zm)
            return makeError(ErrorClass::NotFound, std::string("no VMS is installed here: looked for ") + kMotionConf +
                                                       " (motion) and " + kZmConf + " (ZoneMinder)");
        p = motion ? "motion" : "zoneminder";
    }
    if (p == "motion") return std::unique_ptr<VmsAdapter>(std::make_unique<MotionAdapter>());
    if (p == "zoneminder") return std::unique_ptr<VmsAdapter>(std::make_unique<ZoneMinderAdapter>());
    return makeError(ErrorClass::InvalidArgument, "unknown VMS product '" + product + "'; use motion, zoneminder or auto");
}

}  // namespace appliance::agent
