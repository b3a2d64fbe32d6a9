// SPDX-License-Identifier: GPL-2.0-or-later
// The real onvif-camera-sim as a child process for a test or benchmark: started with options,
// its cameras read from the JSON lines it prints, stopped (SIGTERM: it says Bye) at the end, and
// killed with the test process if that dies. Plus the private network namespace the camera tests
// run in, so discovery multicast never leaves the test.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <sys/types.h>

namespace appliance::test {

/// Moves this process into a new network namespace with only `lo` (up, multicast, a route for
/// 239.0.0.0/8). Needs root; returns false with a reason otherwise.
bool enterPrivateNetwork(std::string* why);

class CameraSimProcess {
public:
    explicit CameraSimProcess(std::vector<std::string> args);
    ~CameraSimProcess();
    /// Runs it in the network namespace at `path` (e.g. /run/netns/NAME) instead of the test's.
    void runInNetworkNamespace(std::string path) { m_netns = std::move(path); }
    /// Starts it and waits until it printed {"ready": true}; false (with its stderr) otherwise.
    bool start(std::chrono::seconds timeout = std::chrono::seconds(30));
    void stop();
    pid_t pid() const { return m_pid; }
    const std::vector<nlohmann::json>& cameras() const { return m_cameras; }
    std::string errors() const;

private:
    std::vector<std::string> m_args;
    std::vector<nlohmann::json> m_cameras;
    pid_t m_pid = -1;
    int m_out = -1;
    std::string m_errPath;
    std::string m_netns;
};

}  // namespace appliance::test
