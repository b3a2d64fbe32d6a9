// SPDX-License-Identifier: GPL-2.0-or-later
// A JPEG still for a simulated camera's snapshot URI: the test pattern its streams show (the
// camera's `patternIndex`-th, as rtsp_cameras.h picks it), with its name.
#pragma once

#include <string>

#include "common/result.h"
#include "sim/simulated_camera.h"

namespace appliance::camera::sim {

Result<std::string> renderSnapshot(const CameraConfig& camera, int patternIndex);

}  // namespace appliance::camera::sim
