// SPDX-License-Identifier: GPL-2.0-or-later
// WS-Discovery for the simulated cameras of one process: one UDP 3702 socket (shared with other
// listeners) in the multicast group; a Probe gets one ProbeMatches per camera, each after its own
// random 0-500 ms delay as the standard asks; Hello for every camera at start, Bye at stop.
// Context: its own thread.
#pragma once

#include <atomic>
#include <thread>
#include <vector>

#include "common/result.h"
#include "sim/simulated_camera.h"

struct soap;

namespace appliance::camera::sim {

class DiscoveryResponder {
public:
    /// `interfaceAddress`: where multicast is received and sent (IPv4 of the camera network).
    DiscoveryResponder(std::vector<SimulatedCamera*> cameras, std::string interfaceAddress);
    ~DiscoveryResponder();
    Status start();  ///< binds, joins the group, sends Hello for every camera
    void stop();     ///< sends Bye for every camera

    /// Answers one Probe (called by the gSOAP event on the responder's thread).
    void answerProbe(const std::string& messageId, const std::string& replyTo, const std::string& types);

private:
    void announce(bool hello);
    void run();
    std::vector<SimulatedCamera*> m_cameras;
    std::string m_interface;
    struct soap* m_soap = nullptr;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    void* m_handler = nullptr;
};

}  // namespace appliance::camera::sim
