// SPDX-License-Identifier: GPL-2.0-or-later
#include "integration/camera_sim_process.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sched.h>
#include <sstream>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace appliance::test {

bool enterPrivateNetwork(std::string* why) {
    if (unshare(CLONE_NEWNET) != 0) {
        *why = "cannot create a network namespace (run the tests as root)";
        return false;
    }
    if (std::system("ip link set lo up && ip link set lo multicast on && ip route add 239.0.0.0/8 dev lo") != 0) {
        *why = "cannot set up lo in the test's network namespace (is iproute2 installed?)";
        return false;
    }
    return true;
}

CameraSimProcess::CameraSimProcess(std::vector<std::string> args) : m_args(std::move(args)) {
    m_errPath = "/tmp/onvif-camera-sim-" + std::to_string(getpid()) + "-" + std::to_string(reinterpret_cast<uintptr_t>(this)) + ".err";
}

CameraSimProcess::~CameraSimProcess() {
    stop();
    unlink(m_errPath.c_str());
}

bool CameraSimProcess::start(std::chrono::seconds timeout) {
    int pipeFds[2];
    if (pipe2(pipeFds, O_CLOEXEC) != 0) return false;
    m_pid = fork();
    if (m_pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);  // dies with the test, even if the test crashes
        dup2(pipeFds[1], STDOUT_FILENO);
        int err = open(m_errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (err >= 0) dup2(err, STDERR_FILENO);
        if (!m_netns.empty()) {
            int ns = open(m_netns.c_str(), O_RDONLY | O_CLOEXEC);
            if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) {
                dprintf(STDERR_FILENO, "cannot enter the network namespace %s\n", m_netns.c_str());
                _exit(126);
            }
        }
        std::vector<char*> argv{const_cast<char*>(ONVIF_CAMERA_SIM_PATH)};
        for (auto& a : m_args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(pipeFds[1]);
    m_out = pipeFds[0];
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string buffer;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{m_out, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        char chunk[4096];
        ssize_t n = read(m_out, chunk, sizeof chunk);
        if (n <= 0) return false;  // it exited
        buffer.append(chunk, std::size_t(n));
        for (auto nl = buffer.find('\n'); nl != std::string::npos; nl = buffer.find('\n')) {
            auto line = nlohmann::json::parse(buffer.substr(0, nl), nullptr, false);
            buffer.erase(0, nl + 1);
            if (line.is_discarded()) continue;
            if (line.contains("ready")) return true;
            m_cameras.push_back(line);
        }
    }
    return false;
}

void CameraSimProcess::stop() {
    if (m_pid <= 0) return;
    kill(m_pid, SIGTERM);
    for (int i = 0; i < 100; ++i) {
        if (waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
            m_pid = -1;
            break;
        }
        usleep(50000);
    }
    if (m_pid > 0) {
        kill(m_pid, SIGKILL);
        waitpid(m_pid, nullptr, 0);
        m_pid = -1;
    }
    if (m_out >= 0) close(m_out);
    m_out = -1;
}

std::string CameraSimProcess::errors() const {
    std::ifstream f(m_errPath);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

}  // namespace appliance::test
