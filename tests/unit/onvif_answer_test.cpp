// SPDX-License-Identifier: GPL-2.0-or-later
// What the camera layer reads from WS-Discovery scopes and from what a person types for a camera.
// Camera answers and their error classes are tested against the live simulator and fault-injecting
// servers in integration/onvif_test.cpp.
#include <gtest/gtest.h>

#include "onvif/device_url.h"
#include "onvif/onvif_types.h"

namespace appliance::camera {
namespace {

TEST(OnvifAnswer, ScopesAndAddressesAreReadAsPeopleWriteThem) {
    auto d = describeDevice("urn:uuid:1", "dn:NetworkVideoTransmitter",
                            "onvif://www.onvif.org/name/Gate%20North onvif://www.onvif.org/location/lot-2", "http://a/ http://b/", 3);
    EXPECT_EQ(d.name, "Gate North");
    EXPECT_EQ(d.location, "lot-2");
    EXPECT_EQ(d.xaddrs.size(), 2u);
    EXPECT_EQ(*deviceServiceUrl("192.0.2.7"), "http://192.0.2.7/onvif/device_service");
    EXPECT_EQ(*deviceServiceUrl("192.0.2.7:8080"), "http://192.0.2.7:8080/onvif/device_service");
    EXPECT_EQ(*deviceServiceUrl("https://cam/onvif/device_service"), "https://cam/onvif/device_service");
    EXPECT_FALSE(deviceServiceUrl("ftp://cam"));
    EXPECT_FALSE(deviceServiceUrl("cam;rm -rf"));
    EXPECT_FALSE(deviceServiceUrl(""));
}

}  // namespace
}  // namespace appliance::camera
