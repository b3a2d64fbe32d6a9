// SPDX-License-Identifier: GPL-2.0-or-later
// camera-migrator: find cameras, probe them, check their video; and drive camera-migratord's
// migration (cli/daemon_commands.h). Human output by default, --json for scripts; exit codes
// from sysexits.h.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <sysexits.h>
#include <vector>

#include "cli/daemon_commands.h"
#include "cli/output.h"
#include "common/logging.h"
#include "onvif/camera_client.h"
#include "onvif/device_url.h"
#include "onvif/ws_discovery.h"
#include "stream/stream_verifier.h"

using namespace appliance;
using namespace appliance::camera;

namespace {

const char* kUsage =
    "usage: camera-migrator [--json] COMMAND ...\n"
    "  discover [--interface ADDR] [--timeout MS] [--expect N] [--address IP] [--watch SECONDS]\n"
    "           WS-Discovery: multicast probe from the interface with address ADDR (default 127.0.0.1),\n"
    "           or a direct probe of one IP; --watch also prints Hello/Bye announcements\n"
    "  probe CAMERA [--user U] [--password P]\n"
    "           device information, profiles and stream URIs (CAMERA: address, host:port or URL)\n"
    "  verify RTSP_URI [--user U] [--password P] [--seconds S] [--timeout MS]\n"
    "           proves video flows: first decoded frame, frames/s, resolution, codec\n"
    "  snapshot CAMERA --out FILE [--profile TOKEN] [--user U] [--password P]\n"
    "The password can also come from CAMERA_PASSWORD (so it stays out of the process list).\n"
    "\n";

struct Args {
    bool json = false;
    std::string command;
    std::vector<std::string> positional;
    std::string interfaceAddress = "127.0.0.1", address, user, password, out, profile;
    long timeoutMs = -1, expect = 0, watchS = 0, seconds = 2;
};

[[noreturn]] void usageError(const std::string& message) {
    std::fprintf(stderr, "camera-migrator: %s\n%s%s", message.c_str(), kUsage, migration::cli::kDaemonUsage);
    std::exit(EX_USAGE);
}

Args parse(int argc, char** argv) {
    Args a;
    if (const char* pw = std::getenv("CAMERA_PASSWORD")) a.password = pw;
    for (int i = 1; i < argc; ++i) {
        std::string s = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usageError(s + " needs a value");
            return argv[++i];
        };
        auto number = [&](long lo, long hi) {
            std::string v = value();
            char* end = nullptr;
            long n = std::strtol(v.c_str(), &end, 10);
            if (v.empty() || *end || n < lo || n > hi)
                usageError(s + " wants a number from " + std::to_string(lo) + " to " + std::to_string(hi));
            return n;
        };
        if (s == "--json") a.json = true;
        else if (s == "--interface") a.interfaceAddress = value();
        else if (s == "--address") a.address = value();
        else if (s == "--timeout") a.timeoutMs = number(1, 600000);
        else if (s == "--expect") a.expect = number(1, 100000);
        else if (s == "--watch") a.watchS = number(1, 86400);
        else if (s == "--seconds") a.seconds = number(1, 3600);
        else if (s == "--user") a.user = value();
        else if (s == "--password") a.password = value();
        else if (s == "--out") a.out = value();
        else if (s == "--profile") a.profile = value();
        else if (s == "-h" || s == "--help") { std::fputs(kUsage, stdout); std::fputs(migration::cli::kDaemonUsage, stdout); std::exit(0); }
        else if (!s.empty() && s[0] == '-') usageError("unknown option '" + s + "'");
        else if (a.command.empty()) a.command = s;
        else a.positional.push_back(s);
    }
    if (a.command.empty()) usageError("give a command");
    return a;
}

int fail(const Args& a, const Error& e) {
    if (a.json)
        std::printf("%s\n", nlohmann::json{{"error", {{"class", errorClassName(e.cls)}, {"desc", e.message}}}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    std::fprintf(stderr, "camera-migrator: %s\n", e.message.c_str());
    return exitCodeFor(e.cls);
}

int discover(const Args& a) {
    DiscoveryOptions o;
    o.interfaceAddress = a.interfaceAddress;
    if (a.timeoutMs > 0) o.timeout = std::chrono::milliseconds(a.timeoutMs);
    o.expected = std::size_t(a.expect);
    auto found = a.address.empty() ? discoverCameras(o) : probeAddress(a.address, o);
    if (!found) return fail(a, found.error());
    if (a.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& d : *found) list.push_back(toJson(d));
        std::printf("%s\n", list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
        cli::printDevices(*found);
    }
    if (a.watchS > 0) {
        std::atomic<bool> stop{false};
        auto st = watchAnnouncements(o, std::chrono::seconds(a.watchS), stop, [&](Announcement kind, const DiscoveredDevice& d) {
            const char* what = kind == Announcement::Hello ? "hello" : "bye";
            if (a.json) {
                auto j = toJson(d);
                j["announcement"] = what;
                std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
            } else {
                std::printf("%-5s %s %s\n", what, d.endpointReference.c_str(), d.name.c_str());
            }
            std::fflush(stdout);
        });
        if (!st) return fail(a, st.error());
    }
    return 0;
}

int probe(const Args& a) {
    if (a.positional.size() != 1) usageError("probe takes one camera address");
    auto url = deviceServiceUrl(a.positional[0]);
    if (!url) return fail(a, url.error());
    auto client = makeOnvifClient(*url, {a.user, a.password});
    auto report = probeCamera(*client, *url);
    if (!report) return fail(a, report.error());
    if (a.json) std::printf("%s\n", toJson(*report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    else cli::printProbe(*report);
    return 0;
}

int verify(const Args& a) {
    if (a.positional.size() != 1) usageError("verify takes one rtsp:// URI");
    VerifyOptions o;
    o.measureFor = std::chrono::seconds(a.seconds);
    if (a.timeoutMs > 0) o.firstFrameTimeout = std::chrono::milliseconds(a.timeoutMs);
    auto report = verifyStream(a.positional[0], {a.user, a.password}, o);
    if (!report) return fail(a, report.error());
    if (a.json) std::printf("%s\n", toJson(*report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    else cli::printStream(*report);
    return 0;
}

int snapshot(const Args& a) {
    if (a.positional.size() != 1 || a.out.empty()) usageError("snapshot takes one camera address and --out FILE");
    auto url = deviceServiceUrl(a.positional[0]);
    if (!url) return fail(a, url.error());
    auto client = makeOnvifClient(*url, {a.user, a.password});
    std::string token = a.profile;
    if (token.empty()) {
        auto profiles = client->profiles();
        if (!profiles) return fail(a, profiles.error());
        if (profiles->empty()) return fail(a, makeError(ErrorClass::NotFound, "the camera has no media profile"));
        token = profiles->front().token;
    }
    auto uri = client->snapshotUri(token);
    if (!uri) return fail(a, uri.error());
    auto jpeg = client->fetchSnapshot(*uri);
    if (!jpeg) return fail(a, jpeg.error());
    std::ofstream out(a.out, std::ios::binary | std::ios::trunc);
    out.write(jpeg->data(), std::streamsize(jpeg->size()));
    if (!out.flush())
        return fail(a, makeError(ErrorClass::Unavailable, "cannot write " + a.out + "; check the directory exists and is writable"));
    if (a.json) std::printf("%s\n", nlohmann::json{{"file", a.out}, {"bytes", jpeg->size()}, {"uri", *uri}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    else std::printf("saved %zu bytes from %s to %s\n", jpeg->size(), uri->c_str(), a.out.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    logging::setup("camera-migrator");
    // The migration verbs go to camera-migratord; --json may come before the command.
    int first = 1;
    bool json = false;
    while (first < argc && std::strcmp(argv[first], "--json") == 0) json = true, ++first;
    if (first < argc && migration::cli::isDaemonCommand(argv[first]))
        return migration::cli::runDaemonCommand(argc - first + 1, argv + first - 1, json);
    Args a = parse(argc, argv);
    if (a.command == "discover") return discover(a);
    if (a.command == "probe") return probe(a);
    if (a.command == "verify") return verify(a);
    if (a.command == "snapshot") return snapshot(a);
    usageError("unknown command '" + a.command + "'");
}
