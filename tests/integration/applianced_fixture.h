// SPDX-License-Identifier: GPL-2.0-or-later
// A private applianced for one test: its own instance id (so it manages only the test's domains),
// temporary state database, admin socket and per-VM directories, against the real libvirtd.
// Every domain the test created is destroyed and undefined at the end, even when the test fails.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <sys/types.h>

#include <gtest/gtest.h>

#include "common/line_client.h"

namespace appliance::test {

using Json = protocol::Json;

/// Runs a shell command, returns its stdout (trimmed) and sets `status` to its exit status.
std::string shell(const std::string& command, int* status = nullptr);
/// `virsh domstate NAME` as text ("running", "shut off", "paused", ...).
std::string virshDomstate(const std::string& name);
/// Waits until `pred` holds, polling; false when the deadline passes.
bool waitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout);
std::string imageDir();
/// A JSON file's contents (discarded JSON if it cannot be read or parsed).
Json readJsonFile(const std::string& path);

class ApplianceDaemon {
public:
    explicit ApplianceDaemon(std::vector<std::string> extraSettings = {});
    ~ApplianceDaemon();

    /// A setting for the next start (overrides an earlier one with the same key).
    void setSetting(const std::string& keyValue) { m_extra.push_back(keyValue); }
    /// Where the next start serves its admin API (default: dir()/admin.sock).
    void setAdminSocket(const std::string& path) { m_socket = path; }
    const std::string& dir() const { return m_dir; }
    std::string shareDir(const std::string& vm) const { return m_shareDir + "/" + vm; }
    /// The VM's directory.json as applianced published it.
    Json directory(const std::string& vm) const;
    /// The agent server's TCP+TLS port named in the VM's directory (0 if none).
    int agentTcpPort(const std::string& vm) const;
    /// An environment variable for the next start (e.g. NOTIFY_SOCKET).
    void setChildEnv(const std::string& key, const std::string& value) { m_env.emplace_back(key, value); }
    /// Starts applianced and waits until it has synchronised with libvirt.
    void start();
    void stop();      ///< SIGTERM, then waits
    void kill9();     ///< SIGKILL, as a crash would
    pid_t pid() const { return m_pid; }
    bool running() const;

    const std::string& socket() const { return m_socket; }
    const std::string& stateDb() const { return m_db; }
    const std::string& instance() const { return m_instance; }
    const std::string& runDir() const { return m_runDir; }
    std::string log() const;

    /// A fresh, connected admin client (as root).
    std::unique_ptr<LineClient> client();
    /// A VM name unique to this test run; remembered for clean-up.
    std::string vmName(const std::string& hint);
    /// Creates a VM from the test guest image; extra kernel arguments are appended.
    Json createVm(LineClient& c, const std::string& name, const std::string& extraCmdline = "", int memoryMib = 160);
    /// A vms-agentd on the host acting for `vm` (over TLS, with the VM's real directory), serving
    /// `socketPath`; it logs to dir()/vms-agentd.log and dies with the test process even if that
    /// crashes. Stop it with stopProcess().
    pid_t startHostAgent(const std::string& vm, const std::string& socketPath);
    /// Adds a policy file to this daemon's policy.d (which starts with the shipped default).
    void writePolicy(const std::string& fileName, const std::string& text);
    /// Types `command` on the guest's serial console shell and returns its output; `status` gets
    /// its exit status (-1 if it did not finish in time).
    std::string guestRun(const std::string& vm, const std::string& command, int* status = nullptr,
                         std::chrono::seconds timeout = std::chrono::seconds(30));
    /// Waits until the agent inside `vm` reports (`vms-agent status`) that the host knows it; its
    /// last output, and false after `timeout`.
    bool waitForAgent(const std::string& vm, std::string* status = nullptr, std::chrono::seconds timeout = std::chrono::seconds(60));
    /// Waits until the guest printed that it is up on its serial console (`count` boots).
    bool waitForGuestBoot(const std::string& name, int count = 1, std::chrono::seconds timeout = std::chrono::seconds(90));
    std::string consoleLog(const std::string& name) const;

private:
    std::vector<std::string> m_extra;
    std::vector<std::pair<std::string, std::string>> m_env;
    std::string m_dir, m_socket, m_db, m_runDir, m_shareDir, m_instance, m_log, m_policyDir;
    int m_guestCommands = 0;
    std::vector<std::string> m_vms;
    pid_t m_pid = -1;
};

/// A test with its own running applianced, an admin client and a client subscribed to events.
class DaemonTest : public ::testing::Test {
protected:
    void SetUp() override;
    ApplianceDaemon daemon;
    std::unique_ptr<LineClient> admin, events;
};

/// SIGTERM, then waits for it.
void stopProcess(pid_t pid);

/// Waits for an event satisfying `pred` on a subscribed client.
Result<protocol::Message> waitForEvent(LineClient& c, const std::function<bool(const protocol::Message&)>& pred,
                                       std::chrono::milliseconds timeout);

}  // namespace appliance::test
