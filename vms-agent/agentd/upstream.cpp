// SPDX-License-Identifier: GPL-2.0-or-later
#include "agentd/upstream.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace appliance::agent {

Result<std::string> findVirtioPort(const std::string& portName, const std::string& sysRoot) {
    namespace fs = std::filesystem;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(sysRoot, ec)) {
        std::ifstream f(e.path() / "name");
        std::string name;
        std::getline(f, name);
        if (name == portName) return "/dev/" + e.path().filename().string();
    }
    return makeError(ErrorClass::NotFound, "this guest has no virtio-serial port named '" + portName +
                                               "'; the VM needs the appliance's agent channel (recreate it with "
                                               "`appliancectl vm create`)");
}

Result<int> openEndpoint(const std::string& endpoint) {
    if (endpoint.rfind("unix:", 0) == 0) {
        std::string path = endpoint.substr(5);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        if (path.size() >= sizeof addr.sun_path) return makeError(ErrorClass::InvalidArgument, "socket path too long");
        std::memcpy(addr.sun_path, path.c_str(), path.size());
        int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            std::string why = std::strerror(errno);
            if (fd >= 0) ::close(fd);
            return makeError(ErrorClass::Unavailable, "cannot connect to " + path + ": " + why);
        }
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        return fd;
    }
    int fd = ::open(endpoint.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return makeError(ErrorClass::Unavailable, "cannot open " + endpoint + ": " + std::strerror(errno));
    return fd;
}

Result<Endpoint> chooseEndpoint(const protocol::Json& directory, const std::string& override) {
    if (!override.empty()) return Endpoint{override, "", 0, ""};
    auto endpoints = directory.find("endpoints");
    if (endpoints == directory.end() || !endpoints->is_array())
        return makeError(ErrorClass::InvalidArgument, "the directory lists no endpoints");
    auto text = [](const protocol::Json& e, const char* key) {
        auto it = e.find(key);
        return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    for (const auto& e : *endpoints) {
        if (!e.is_object()) continue;
        if (text(e, "transport") == "virtio-serial") {
            auto port = findVirtioPort(text(e, "port_name"));
            if (port) return Endpoint{*port, "", 0, ""};
        }
    }
    for (const auto& e : *endpoints) {
        if (!e.is_object() || text(e, "transport") != "tcp+tls") continue;
        auto port = e.find("port");
        if (port == e.end() || !port->is_number_integer() || text(e, "host").empty() || text(e, "tls_fingerprint_sha256").empty())
            continue;
        int p = port->get<int>();
        return Endpoint{"tls:" + text(e, "host") + ":" + std::to_string(p), text(e, "host"), p,
                        text(e, "tls_fingerprint_sha256")};
    }
    return makeError(ErrorClass::Unavailable,
                     "none of the directory's endpoints is usable from this guest (no agent channel, no TCP endpoint)");
}

}  // namespace appliance::agent
