// SPDX-License-Identifier: GPL-2.0-or-later
#include "agents/directory_publisher.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/logging.h"
#include "hypervisor/domain_xml.h"

namespace appliance {

namespace {
auto log() {
    static auto l = logging::get("appliance.directory");
    return l;
}
}  // namespace

DirectoryPublisher::Json DirectoryPublisher::document(const VmInfo& vm, const std::string& secret) const {
    Json endpoints = Json::array();
    endpoints.push_back({{"transport", "virtio-serial"}, {"port_name", kAgentChannelName}});
    if (!m_tcp.host.empty())
        endpoints.push_back({{"transport", "tcp+tls"},
                             {"host", m_tcp.host},
                             {"port", m_tcp.port},
                             {"tls_fingerprint_sha256", m_tcp.tlsFingerprintSha256}});
    return Json{{"protocol_version", protocol::kVersion},
                {"vm", {{"name", vm.name}, {"uuid", vm.uuid}}},
                {"endpoints", endpoints},
                {"secret", secret}};
}

Status DirectoryPublisher::publish(const VmInfo& vm) {
    auto secret = m_store.vmSecret(vm.name);
    if (!secret) return secret.error();
    auto qemu = qemuIdentity(m_store, m_settings.qemuUsers, vm.name, false);
    if (!qemu) return qemu.error();
    const std::string dir = vmPaths("", m_settings.shareRoot, vm.name).shareDir;
    const std::string path = dir + "/directory.json";
    std::string content = document(vm, *secret).dump(2) + "\n";
    {
        std::ifstream existing(path);
        std::stringstream ss;
        ss << existing.rdbuf();
        if (existing && ss.str() == content) return okStatus();
    }
    const std::string tmp = dir + "/.directory.json.tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0400);
    if (fd < 0) return makeError(ErrorClass::Unavailable, "cannot write " + tmp + ": " + std::strerror(errno));
    bool ok = ::write(fd, content.data(), content.size()) == ssize_t(content.size()) && ::fsync(fd) == 0;
    // Only this VM's QEMU (which serves the share to the guest) and root may read the secret: not
    // QEMU's group (`kvm` on Debian has other members), not another VM's QEMU.
    if (::fchmod(fd, 0400) != 0 || ::fchown(fd, qemu->uid, 0) != 0) ok = false;
    (void)::chown(dir.c_str(), qemu->uid, 0);
    ::chmod(dir.c_str(), 0500);
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return makeError(ErrorClass::Unavailable, "cannot publish " + path + ": " + std::strerror(errno));
    }
    log()->info("published the directory of '{}'", vm.name);
    return okStatus();
}

void DirectoryPublisher::onInventoryChange(const InventoryChange& c, const Inventory& inventory) {
    if (c.kind == InventoryChange::Kind::Removed) {
        (void)m_store.forgetVmSecret(c.name);
        return;
    }
    if (c.kind != InventoryChange::Kind::Added) return;
    if (const VmRecord* rec = inventory.find(c.name)) {
        if (auto s = publish(rec->info); !s) log()->error("{}", s.error().message);
    }
}

void DirectoryPublisher::setTcpEndpoint(const TcpEndpoint& endpoint, const Inventory& inventory) {
    m_tcp = endpoint;
    for (const VmRecord* rec : inventory.all())
        if (auto s = publish(rec->info); !s) log()->error("{}", s.error().message);
}

}  // namespace appliance
