// SPDX-License-Identifier: GPL-2.0-or-later
#include "ctl/vms_command.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include "common/base64.h"
#include "ctl/table.h"

namespace appliance::ctl {

using Json = protocol::Json;

namespace {

Error usage(const std::string& why) { return makeError(ErrorClass::InvalidArgument, why); }

Result<std::string> readPassword(const std::string& file) {
    std::string line;
    if (file == "-") {
        std::getline(std::cin, line);
    } else {
        std::ifstream in(file);
        if (!in) return usage("cannot read the password file '" + file + "'");
        std::getline(in, line);
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

std::string yesNo(const Json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() ? (it->get<bool>() ? "yes" : "no") : "-";
}

std::string ago(const Json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return "-";
    double s = double(std::time(nullptr)) - it->get<double>();
    char b[32];
    std::snprintf(b, sizeof b, s < 0 ? "in the future" : "%.0f s ago", s);
    return b;
}

std::string text(const Json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return "-";
    if (it->is_string()) return it->get<std::string>().empty() ? "-" : it->get<std::string>();
    return it->dump();
}

}  // namespace

Result<VmsRequest> parseVmsCommand(const std::vector<std::string>& w, const std::map<std::string, std::string>& flags) {
    VmsRequest r;
    const std::string sub = w.size() > 1 ? w[1] : "";
    if ((sub == "info" || sub == "cameras") && w.size() == 3) {
        r.verb = "vms." + sub;
        r.args["name"] = w[2];
        return r;
    }
    if (sub != "camera" || w.size() < 4)
        return usage("use `vms info VM`, `vms cameras VM` or `vms camera add|remove|status|snapshot VM ...`");
    if (w[2] == "snapshot" && w.size() != 5) return usage("use `vms camera snapshot VM ID --out FILE.jpg`");
    const std::string& op = w[2];
    r.args["name"] = w[3];
    r.timeoutMs = 150000;  // longer than the host waits for the guest's VMS (vms_write_timeout_ms, 120 s)
    if ((op == "remove" || op == "status") && w.size() == 5) {
        r.verb = "vms.camera." + op;
        r.args["id"] = w[4];
        return r;
    }
    if (op == "snapshot" && w.size() == 5) {
        r.verb = "vms.camera.snapshot";
        r.args["id"] = w[4];
        r.allowedFlags = {"--out"};
        auto out = flags.find("--out");
        if (out == flags.end() || out->second.empty()) return usage("`vms camera snapshot VM ID` needs --out FILE.jpg");
        r.outFile = out->second;
        return r;
    }
    if (op != "add" || w.size() != 4) return usage("use `vms camera add VM --name NAME --uri URI ...`, "
                                                    "`vms camera remove VM ID` or `vms camera status VM ID`");
    r.verb = "vms.camera.add";
    r.allowedFlags = {"--name", "--uri", "--onvif-id", "--user", "--password-file", "--width", "--height", "--fps"};
    auto get = [&](const char* f) -> const std::string* {
        auto it = flags.find(f);
        return it == flags.end() ? nullptr : &it->second;
    };
    if (!get("--name") || !get("--uri")) return usage("`vms camera add` needs --name and --uri");
    r.args["camera_name"] = *get("--name");
    r.args["stream_uri"] = *get("--uri");
    if (auto v = get("--onvif-id")) r.args["onvif_id"] = *v;
    if (auto v = get("--user")) r.args["username"] = *v;
    if (auto v = get("--password-file")) {
        auto pw = readPassword(*v);
        if (!pw) return pw.error();
        r.args["password"] = *pw;
    }
    for (auto [f, key] : {std::pair{"--width", "width"}, {"--height", "height"}, {"--fps", "fps"}}) {
        auto v = get(f);
        if (!v) continue;
        try {
            std::size_t used = 0;
            long long n = std::stoll(*v, &used);
            if (used != v->size()) throw std::invalid_argument(f);
            r.args[key] = n;
        } catch (...) {
            return usage(std::string(f) + " needs a whole number");
        }
    }
    return r;
}

void printVmsAnswer(const std::string& verb, const Json& a) {
    if (verb == "vms.info") {
        std::printf("product:         %s %s\n", text(a, "product").c_str(), text(a, "version").c_str());
        std::printf("cameras:         %s of %s\n", text(a, "cameras").c_str(), text(a, "camera_limit").c_str());
        std::printf("ready:           %s%s\n", yesNo(a, "ready").c_str(),
                    text(a, "reason") == "-" ? "" : (" (" + text(a, "reason") + ")").c_str());
    } else if (verb == "vms.cameras") {
        std::vector<std::vector<std::string>> rows;
        for (const auto& c : a.value("cameras", Json::array()))
            rows.push_back({text(c, "id"), text(c, "name"), yesNo(c, "receiving"), yesNo(c, "recording"),
                            ago(c, "last_recorded"), text(c, "stream_uri"), text(c, "reason")});
        std::cout << formatTable({"ID", "NAME", "RECEIVING", "RECORDING", "LAST RECORDED", "STREAM", "PROBLEM"}, rows);
        if (rows.empty()) std::cout << "(this VMS has no cameras; add one with `appliancectl vms camera add`)\n";
    } else if (verb == "vms.camera.add") {
        std::printf("camera added with id %s; it records once its first frames arrive "
                    "(`appliancectl vms camera status VM %s`)\n", text(a, "id").c_str(), text(a, "id").c_str());
    } else if (verb == "vms.camera.snapshot") {
        // saveVmsSnapshot wrote the picture and said where.
    } else if (verb == "vms.camera.remove") {
        std::printf("camera %s removed; its recordings stay in the VMS\n", text(a, "removed").c_str());
    } else {
        for (const char* k : {"id", "name", "onvif_id", "stream_uri"}) std::printf("%-15s %s\n", (std::string(k) + ":").c_str(), text(a, k).c_str());
        std::printf("%-15s %s\n%-15s %s\n", "receiving:", yesNo(a, "receiving").c_str(), "recording:", yesNo(a, "recording").c_str());
        std::printf("%-15s %s\n%-15s %s\n", "last frame:", ago(a, "last_frame").c_str(), "last recorded:", ago(a, "last_recorded").c_str());
        if (text(a, "reason") != "-") std::printf("%-15s %s\n", "problem:", text(a, "reason").c_str());
    }
}

Status saveVmsSnapshot(const std::string& path, const Json& answer) {
    auto bytes = fromBase64(answer.value("jpeg", ""));
    if (!bytes || bytes->empty()) return makeError(ErrorClass::MalformedAnswer, "the answer holds no picture");
    // Written beside the target and renamed over it: a failed write never leaves half a picture.
    const std::string temp = path + ".part";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return makeError(ErrorClass::Unavailable, "cannot write '" + temp + "': " + std::strerror(errno));
    std::size_t done = 0;
    while (done < bytes->size()) {
        const ssize_t n = ::write(fd, bytes->data() + done, bytes->size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = errno;
            ::close(fd);
            ::unlink(temp.c_str());
            return makeError(ErrorClass::Unavailable, "cannot write '" + temp + "': " + std::strerror(err));
        }
        done += std::size_t(n);
    }
    if (::close(fd) != 0 || ::rename(temp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        return makeError(ErrorClass::Unavailable, "cannot write '" + path + "': " + std::strerror(err));
    }
    std::fprintf(stderr, "picture written to %s (%zu KiB)\n", path.c_str(), (bytes->size() + 1023) / 1024);
    return okStatus();
}

}  // namespace appliance::ctl
