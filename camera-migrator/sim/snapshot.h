// SPDX-License-Identifier: GPL-2.0-or-later
// A JPEG still for a simulated camera's snapshot URI: the test pattern with its name.
#pragma once

#include <string>

#include "common/result.h"
#include "sim/simulated_camera.h"

namespace appliance::camera::sim {

Result<std::string> renderSnapshot(const CameraConfig& camera);

}  // namespace appliance::camera::sim
