// SPDX-License-Identifier: GPL-2.0-or-later
#include "integration/applianced_fixture.h"

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace appliance::test {

namespace fs = std::filesystem;

std::string shell(const std::string& command, int* status) {
    std::string out;
    FILE* p = ::popen((command + " 2>/dev/null").c_str(), "r");
    if (!p) {
        if (status) *status = -1;
        return out;
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int rc = ::pclose(p);
    if (status) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

std::string virshDomstate(const std::string& name) { return shell("virsh -c qemu:///system domstate " + name); }

bool waitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return pred();
}

std::string imageDir() {
    const char* env = std::getenv("APPLIANCE_IMAGE_DIR");
    return env ? env : "/var/lib/appliance/images/test-guest";
}

Json readJsonFile(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return Json::parse(ss.str(), nullptr, false);
}

Result<protocol::Message> waitForEvent(LineClient& c, const std::function<bool(const protocol::Message&)>& pred,
                                       std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return makeError(ErrorClass::Timeout, "the expected event did not arrive");
        auto ev = c.nextEvent(int(left.count()));
        if (!ev) return ev;
        if (pred(*ev)) return ev;
    }
}

void DaemonTest::SetUp() {
    daemon.start();
    ASSERT_FALSE(HasFatalFailure());
    admin = daemon.client();
    events = daemon.client();
    ASSERT_TRUE(events->call("events.subscribe"));
}

namespace {
// Test domains are named t<pid>-...; those whose test process died (a crash skips clean-up) would
// keep running and slow every later run, so the first fixture of a run removes them.
// Alive and not a zombie (PID 1 on these machines does not reap, so a killed test can stay one).
bool processAlive(pid_t pid) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');
    return close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z';
}

void reapDomainsOfDeadTests() {
    static bool done = false;
    if (done) return;
    done = true;
    std::istringstream names(shell("virsh -c qemu:///system list --all --name"));
    for (std::string name; std::getline(names, name);) {
        if (name.size() < 3 || name[0] != 't' || !std::isdigit(static_cast<unsigned char>(name[1]))) continue;
        pid_t pid = pid_t(std::atol(name.c_str() + 1));
        if (pid <= 0 || pid == ::getpid() || processAlive(pid)) continue;
        shell("virsh -c qemu:///system destroy " + name);
        shell("virsh -c qemu:///system undefine --nvram " + name);
    }
}
}  // namespace

ApplianceDaemon::ApplianceDaemon(std::vector<std::string> extraSettings) : m_extra(std::move(extraSettings)) {
    reapDomainsOfDeadTests();
    char tmpl[] = "/tmp/appliance-test-XXXXXX";
    m_dir = ::mkdtemp(tmpl);
    ::chmod(m_dir.c_str(), 0755);  // QEMU (another user) reads the share directory below it
    static int counter = 0;
    m_instance = "test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
    m_socket = m_dir + "/admin.sock";
    m_db = m_dir + "/state.db";
    m_runDir = "/run/appliance-test/" + m_instance;
    m_shareDir = m_dir + "/share";
    m_log = m_dir + "/applianced.log";
    m_policyDir = m_dir + "/policy.d";
    fs::create_directories(m_policyDir);
    fs::copy_file(std::string(APPLIANCE_SOURCE_DIR) + "/appliance/policy.d/50-default.policy",
                  m_policyDir + "/50-default.policy");
}

Json ApplianceDaemon::directory(const std::string& vm) const { return readJsonFile(shareDir(vm) + "/directory.json"); }

int ApplianceDaemon::agentTcpPort(const std::string& vm) const {
    Json d = directory(vm);
    if (!d.is_object() || !d.contains("endpoints")) return 0;
    for (const auto& e : d["endpoints"])
        if (e.value("transport", "") == "tcp+tls") return e.value("port", 0);
    return 0;
}

pid_t ApplianceDaemon::startHostAgent(const std::string& vm, const std::string& socketPath) {
    const pid_t parent = ::getpid();
    const std::string directory = m_shareDir + "/" + vm + "/directory.json";
    const std::string log = m_dir + "/vms-agentd.log";
    pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a crashed test must not leave its agent behind
        if (::getppid() != parent) ::_exit(0);
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        ::dup2(fd, 2);
        ::execl(VMS_AGENTD_PATH, "vms-agentd", "--directory", directory.c_str(), "--socket", socketPath.c_str(), nullptr);
        ::_exit(127);
    }
    return pid;
}

void stopProcess(pid_t pid) {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
}

void ApplianceDaemon::writePolicy(const std::string& fileName, const std::string& text) {
    std::ofstream(m_policyDir + "/" + fileName) << text;
}

std::string ApplianceDaemon::guestRun(const std::string& vm, const std::string& command, int* status,
                                      std::chrono::seconds timeout) {
    const int n = ++m_guestCommands;
    std::string pty = shell("virsh -c qemu:///system ttyconsole " + vm);
    // $((n)) is expanded by the guest's shell, so the markers in the output differ from the echo.
    const std::string begin = "@@begin-" + std::to_string(n) + "@@";
    const std::string end = "@@end-" + std::to_string(n) + " rc=";
    std::string line = "echo @@begin-$((" + std::to_string(n) + "))@@; " + command + "; echo @@end-$((" +
                       std::to_string(n) + ")) rc=$?\n";
    // Keep the pty open until the answer is in: QEMU notices a client only on its next poll, and
    // input still unread when the last client closes is thrown away.
    std::ofstream tty(pty);
    tty << line << std::flush;
    std::string out;
    bool done = waitUntil(
        [&] {
            std::string log = consoleLog(vm);
            auto b = log.find(begin);
            auto e = log.find(end, b == std::string::npos ? 0 : b);
            if (b == std::string::npos || e == std::string::npos) return false;
            auto eol = log.find('\n', e);
            if (eol == std::string::npos) return false;
            out = log.substr(b + begin.size(), e - b - begin.size());
            if (status) *status = std::atoi(log.substr(e + end.size(), eol - e - end.size()).c_str());
            return true;
        },
        timeout);
    if (!done && status) *status = -1;
    return out;
}

ApplianceDaemon::~ApplianceDaemon() {
    for (const auto& vm : m_vms) {
        shell("virsh -c qemu:///system destroy " + vm);
        shell("virsh -c qemu:///system undefine --nvram " + vm);
    }
    stop();
    std::error_code ec;
    if (!::testing::Test::HasFailure()) fs::remove_all(m_dir, ec);
    else std::fprintf(stderr, "test failed: applianced's files are kept in %s\n", m_dir.c_str());
    fs::remove_all(m_runDir, ec);
}

void ApplianceDaemon::start() {
    std::vector<std::string> args = {APPLIANCED_PATH,
                                     "--config", "/dev/null",
                                     "--set", "instance=" + m_instance,
                                     "--set", "admin_socket=" + m_socket,
                                     "--set", "state_db=" + m_db,
                                     "--set", "run_dir=" + m_runDir,
                                     "--set", "share_dir=" + m_shareDir,
                                     "--set", "disk_dir=" + m_dir + "/disks",
                                     "--set", "image_dir=" + imageDir(),
                                     "--set", "stats_interval_ms=500",
                                     "--set", "policy_dir=" + m_policyDir};
    for (const auto& e : m_extra) {
        args.push_back("--set");
        args.push_back(e);
    }
    m_pid = ::fork();
    if (m_pid == 0) {
        int fd = ::open(m_log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        for (const auto& [k, v] : m_env) ::setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    bool up = waitUntil(
        [&] {
            LineClient c;
            if (!c.connect(m_socket, 1000)) return false;
            auto st = c.call("server.status", Json::object(), 2000);
            return st && st->value("synced", false);
        },
        std::chrono::seconds(30));
    ASSERT_TRUE(up) << "applianced did not become ready; its log:\n" << log();
}

bool ApplianceDaemon::running() const { return m_pid > 0 && ::kill(m_pid, 0) == 0; }

void ApplianceDaemon::stop() {
    if (m_pid <= 0) return;
    ::kill(m_pid, SIGTERM);
    for (int i = 0; i < 100; ++i) {
        if (::waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
            m_pid = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "applianced did not stop within 10 s of SIGTERM";
    kill9();
}

void ApplianceDaemon::kill9() {
    if (m_pid <= 0) return;
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = -1;
}

std::string ApplianceDaemon::log() const {
    std::ifstream f(m_log);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::unique_ptr<LineClient> ApplianceDaemon::client() {
    auto c = std::make_unique<LineClient>();
    auto g = c->connect(m_socket, 5000);
    EXPECT_TRUE(g) << (g ? "" : g.error().message);
    return c;
}

std::string ApplianceDaemon::vmName(const std::string& hint) {
    std::string name = "t" + std::to_string(::getpid()) + "-" + hint;
    m_vms.push_back(name);
    return name;
}

Json ApplianceDaemon::createVm(LineClient& c, const std::string& name, const std::string& extraCmdline,
                               int memoryMib) {
    Json args{{"name", name},
              {"memory_mib", memoryMib},
              {"network", "none"},
              {"cmdline", "console=ttyS0 appliance.name=" + name + (extraCmdline.empty() ? "" : " " + extraCmdline)}};
    auto r = c.call("vm.create", args);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : Json();
}

std::string ApplianceDaemon::consoleLog(const std::string& name) const {
    std::ifstream f(m_runDir + "/" + name + "/console.log");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

bool ApplianceDaemon::waitForAgent(const std::string& vm, std::string* status, std::chrono::seconds timeout) {
    std::string out;
    bool up = waitUntil(
        [&] {
            int rc = -1;
            out = guestRun(vm, "vms-agent status", &rc, std::chrono::seconds(10));
            return rc == 0;
        },
        timeout);
    if (status) *status = out;
    return up;
}

bool ApplianceDaemon::waitForGuestBoot(const std::string& name, int count, std::chrono::seconds timeout) {
    const std::string marker = "appliance-test-guest: " + name + " is up";
    return waitUntil(
        [&] {
            std::string log = consoleLog(name);
            int n = 0;
            for (size_t pos = log.find(marker); pos != std::string::npos; pos = log.find(marker, pos + 1)) ++n;
            return n >= count;
        },
        timeout);
}

}  // namespace appliance::test
