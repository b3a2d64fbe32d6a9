// SPDX-License-Identifier: GPL-2.0-or-later
// onvif-camera-sim: simulated ONVIF cameras for tests and the demo. Prints one JSON line per camera
// (identity, URLs), then {"ready": true}, and serves until SIGINT or SIGTERM (then says Bye).
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <sysexits.h>

#include "common/logging.h"
#include "sim/camera_fleet.h"

using namespace appliance;
using namespace appliance::camera::sim;

namespace {

void usage(FILE* out) {
    std::fputs(
        "usage: onvif-camera-sim [options]\n"
        "  --cameras N               how many cameras (default 4)\n"
        "  --host ADDR               address the cameras listen on (default 127.0.0.1)\n"
        "  --onvif-port-base P       camera i serves ONVIF on P+i-1 (default: any free port)\n"
        "  --rtsp-port-base P        camera i serves RTSP on P+i-1 (default: any free port)\n"
        "  --name-prefix TEXT        cameras are named 'TEXT 01', 'TEXT 02', ... (default Camera)\n"
        "  --user U --password P     credentials of every camera (default admin/admin)\n"
        "  --auth wsse|digest|basic  WS-Security UsernameToken (default), HTTP digest only, or HTTP Basic only\n"
        "  --advertise-host ADDR     the host named in the cameras' answers (default: --host)\n"
        "  --clock-offset SECONDS    the cameras' clocks run this far off the host's\n"
        "  --slow-ms MS              delay every ONVIF answer\n"
        "  --stream-stops-after S    streams end after S seconds\n"
        "  --stream-freezes-after S  streams stay open but send nothing after S seconds\n"
        "  --max-sessions N          serve at most N RTSP clients at once per camera (453 to the next);\n"
        "                            each admission, refusal and close is logged on stderr\n"
        "  --busy-status 453|503     the RTSP status of that refusal (default 453 Not Enough Bandwidth;\n"
        "                            some cameras answer 503 Service Unavailable)\n"
        "  --main WxH@FPS            main stream (default 640x360@15); --sub likewise (320x180@10)\n"
        "  --interface ADDR          WS-Discovery interface address (default: --host)\n"
        "  --no-discovery            no WS-Discovery responder\n",
        out);
}

bool parseSpec(const std::string& text, StreamSpec& spec) {
    int w = 0, h = 0, fps = 0;
    if (std::sscanf(text.c_str(), "%dx%d@%d", &w, &h, &fps) != 3 || w < 16 || h < 16 || w > 4096 || h > 4096 || fps < 1 ||
        fps > 60)
        return false;
    spec.width = w;
    spec.height = h;
    spec.fps = fps;
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    logging::setup("onvif-camera-sim");
    FleetOptions options;
    CameraConfig& c = options.templateConfig;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "onvif-camera-sim: %s needs a value\n", a.c_str());
                std::exit(EX_USAGE);
            }
            return argv[++i];
        };
        auto number = [&](long lo, long hi) {
            std::string v = next();
            char* end = nullptr;
            long n = std::strtol(v.c_str(), &end, 10);
            if (v.empty() || *end || n < lo || n > hi) {
                std::fprintf(stderr, "onvif-camera-sim: %s wants a number from %ld to %ld, not '%s'\n", a.c_str(), lo, hi, v.c_str());
                std::exit(EX_USAGE);
            }
            return n;
        };
        if (a == "--cameras") options.count = int(number(1, 1000));
        else if (a == "--host") c.host = next();
        else if (a == "--advertise-host") c.advertiseHost = next();
        else if (a == "--onvif-port-base") options.onvifPortBase = int(number(1, 65000));
        else if (a == "--rtsp-port-base") options.rtspPortBase = int(number(1, 65000));
        else if (a == "--name-prefix") options.namePrefix = next();
        else if (a == "--user") c.user = next();
        else if (a == "--password") c.password = next();
        else if (a == "--auth") {
            std::string m = next();
            if (m == "wsse") c.auth = AuthMode::WsUsernameToken;
            else if (m == "digest") c.auth = AuthMode::HttpDigest;
            else if (m == "basic") c.auth = AuthMode::HttpBasic;
            else { std::fprintf(stderr, "onvif-camera-sim: --auth is wsse, digest or basic\n"); return EX_USAGE; }
        }
        else if (a == "--clock-offset") c.clockOffsetS = number(-10L * 365 * 86400, 10L * 365 * 86400);
        else if (a == "--slow-ms") c.slowAnswersMs = int(number(0, 600000));
        else if (a == "--stream-stops-after") c.streamStopsAfterS = int(number(1, 86400));
        else if (a == "--stream-freezes-after") c.streamFreezesAfterS = int(number(1, 86400));
        else if (a == "--max-sessions") c.maxRtspSessions = int(number(1, 1000));
        else if (a == "--busy-status") {
            c.busyStatus = int(number(453, 503));
            if (c.busyStatus != 453 && c.busyStatus != 503) {
                std::fprintf(stderr, "onvif-camera-sim: --busy-status is 453 or 503\n");
                return EX_USAGE;
            }
        }
        else if (a == "--main" || a == "--sub") {
            if (!parseSpec(next(), a == "--main" ? c.main : c.sub)) {
                std::fprintf(stderr, "onvif-camera-sim: %s wants WIDTHxHEIGHT@FPS, e.g. 1280x720@25\n", a.c_str());
                return EX_USAGE;
            }
        }
        else if (a == "--interface") options.interfaceAddress = next();
        else if (a == "--no-discovery") options.discovery = false;
        else if (a == "-h" || a == "--help") { usage(stdout); return 0; }
        else { std::fprintf(stderr, "onvif-camera-sim: unknown option '%s'\n", a.c_str()); usage(stderr); return EX_USAGE; }
    }

    // Signals are taken synchronously by the main thread; every other thread inherits the mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    CameraFleet fleet(options);
    if (auto st = fleet.start(); !st) {
        std::fprintf(stderr, "onvif-camera-sim: %s\n", st.error().message.c_str());
        return EX_UNAVAILABLE;
    }
    for (const auto& cam : fleet.cameras()) std::printf("%s\n", CameraFleet::describe(*cam).dump().c_str());
    std::printf("{\"ready\": true}\n");
    std::fflush(stdout);
    int sig = 0;
    sigwait(&signals, &sig);
    fleet.stop();
    return 0;
}
