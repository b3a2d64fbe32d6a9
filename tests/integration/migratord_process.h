// SPDX-License-Identifier: GPL-2.0-or-later
// The real camera-migratord as a child process for the migration tests: its own state and socket
// in a directory of the test, started with settings and environment (the crash injection), killed
// with SIGKILL like a power cut, and restarted on the same state.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

#include "common/line_client.h"

namespace appliance::test {

class MigratorProcess {
public:
    MigratorProcess(std::string dir, std::vector<std::string> settings);
    ~MigratorProcess();
    /// Starts it and waits until its socket answers; false (see log()) otherwise.
    bool start(const std::map<std::string, std::string>& env = {});
    void kill9();
    /// Waits for it to end by itself (the injected crash); true if it died of SIGKILL.
    bool waitKilled(std::chrono::seconds timeout);
    void stop();
    std::unique_ptr<LineClient> client();
    const std::string& socket() const { return m_socket; }
    const std::string& stateDb() const { return m_db; }
    std::string log() const;
    /// camera-migrator (the CLI) with CAMERA_MIGRATOR_SOCKET set; its stdout, `rc` its exit code.
    std::string cli(const std::string& args, int* rc) const;

private:
    std::string m_dir, m_socket, m_db, m_log;
    std::vector<std::string> m_settings;
    pid_t m_pid = -1;
};

}  // namespace appliance::test
