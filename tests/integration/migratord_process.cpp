// SPDX-License-Identifier: GPL-2.0-or-later
#include "integration/migratord_process.h"

#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "integration/applianced_fixture.h"

namespace appliance::test {

MigratorProcess::MigratorProcess(std::string dir, std::vector<std::string> settings)
    : m_dir(std::move(dir)), m_socket(m_dir + "/migrator.sock"), m_db(m_dir + "/migrator.db"),
      m_log(m_dir + "/camera-migratord.log"), m_settings(std::move(settings)) {}

MigratorProcess::~MigratorProcess() { stop(); }

bool MigratorProcess::start(const std::map<std::string, std::string>& env) {
    std::vector<std::string> args{CAMERA_MIGRATORD_PATH, "--config", "", "--set", "state_db=" + m_db,
                                  "--set", "admin_socket=" + m_socket};
    for (const auto& s : m_settings) args.insert(args.end(), {"--set", s});
    m_pid = ::fork();
    if (m_pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test leaves no daemon behind
        int fd = ::open(m_log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        ::dup2(fd, 1), ::dup2(fd, 2);
        for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return waitUntil(
        [&] {
            LineClient c;
            return bool(c.connect(m_socket, 1000));
        },
        std::chrono::seconds(20));
}

void MigratorProcess::kill9() {
    if (m_pid <= 0) return;
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = -1;
}

bool MigratorProcess::waitKilled(std::chrono::seconds timeout) {
    if (m_pid <= 0) return false;
    int status = 0;
    bool ended = waitUntil([&] { return ::waitpid(m_pid, &status, WNOHANG) == m_pid; }, timeout);
    if (!ended) return false;
    m_pid = -1;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

void MigratorProcess::stop() {
    stopProcess(m_pid);
    m_pid = -1;
}

std::unique_ptr<LineClient> MigratorProcess::client() {
    auto c = std::make_unique<LineClient>();
    if (!c->connect(m_socket)) return nullptr;
    return c;
}

std::string MigratorProcess::log() const {
    std::ifstream in(m_log);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string MigratorProcess::cli(const std::string& args, int* rc) const {
    return shell("CAMERA_MIGRATOR_SOCKET=" + m_socket + " " + CAMERA_MIGRATOR_PATH + " " + args, rc);
}

}  // namespace appliance::test
