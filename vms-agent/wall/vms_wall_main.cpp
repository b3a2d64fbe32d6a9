// SPDX-License-Identifier: GPL-2.0-or-later
// vms-wall: the VMS guest's screen. Shows the VMS's own live pictures of the cameras it records,
// in a grid with their names, full screen on the guest's framebuffer (what the kiosk shows when
// the operator switches to this VM); a VMS without cameras says so.
//
// Pictures cost the guest CPU (ZoneMinder's come from decoding its recording), so the wall
// refreshes them often only while this VM has the physical display, which vms-agentd knows
// (status: vm == focus, and focus.changed events); otherwise about once a minute, so a switch
// never shows an old wall, and each picture older than 30 s says when it was taken.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <poll.h>
#include <string>
#include <sys/signalfd.h>
#include <sysexits.h>
#include <unistd.h>

#include "adapters/local_files.h"
#include "adapters/vms_adapter.h"
#include "common/line_client.h"
#include "common/logging.h"
#include "wall/camera_wall.h"
#include "wall/framebuffer_screen.h"
#include "wall/jpeg_decoder.h"

using namespace appliance;
using namespace appliance::wall;
using agent::nowS;

namespace {

constexpr const char* kUsage = R"(usage: vms-wall [options]
  --vms auto|motion|zoneminder   the VMS on this machine (default auto)
  --fb PATH                      framebuffer (default /dev/fb0)
  --tty PATH                     its virtual terminal, switched to graphics mode (default /dev/tty1)
  --agent-socket PATH            vms-agentd's local socket (default /run/vms-agent.sock)
  --shown-period S               seconds between pictures while this VM has the display (default 2)
  --hidden-period S              ... while it has not (default 60)
  --list-period S                seconds between asking the VMS for its camera list while this VM
                                 has the display (default 60; at once when it gets it; otherwise 300)
  --once-ppm FILE                draw one wall into FILE (PPM, 1280x800) instead of the screen, then exit
)";

auto log() {
    static auto l = logging::get("agent.wall");
    return l;
}

struct Options {
    std::string vms = "auto", fb = "/dev/fb0", tty = "/dev/tty1", agentSocket = "/run/vms-agent.sock", oncePpm;
    double shownPeriodS = 2, hiddenPeriodS = 60, listPeriodS = 60;
};

/// Whether this VM has the display, from vms-agentd: asked per connection and whenever the agent
/// (re)connects to the host (before that it does not know which VM it is), then followed through
/// focus.changed events.
class DisplayOwnership {
public:
    explicit DisplayOwnership(std::string socket) : m_socket(std::move(socket)) {}
    bool shown() const { return m_connected && !m_vm.empty() && m_vm == m_focus; }
    const std::string& vm() const { return m_vm; }
    int fd() const { return m_connected ? m_client.fd() : -1; }
    /// (Re)connects or asks again when needed; returns whether `shown()` changed.
    bool refresh() {
        const bool before = shown();
        if (!m_connected) connect();
        if (m_connected) drain();
        if (m_connected && (m_vm.empty() || m_askAgain)) askStatus();
        return shown() != before;
    }

private:
    void connect() {
        m_client.close();
        if (!m_client.connect(m_socket, 1000)) return;
        if (!m_client.call("events.subscribe", protocol::Json::object(), 2000)) return;
        m_connected = true;
        askStatus();
    }
    void askStatus() {
        m_askAgain = false;
        auto s = m_client.call("status", protocol::Json::object(), 2000);
        if (!s) {
            m_connected = false;
            return;
        }
        m_vm = s->value("vm", protocol::Json()).is_string() ? (*s)["vm"].get<std::string>() : "";
        m_focus = s->value("focus", protocol::Json()).is_string() ? (*s)["focus"].get<std::string>() : "";
    }
    void drain() {
        for (;;) {
            // LineClient counts whole milliseconds left: 0 or 1 would time out before reading what
            // poll() said is there, and the sleep loop would spin on the readable socket (seen).
            auto e = m_client.nextEvent(20);
            if (!e) {
                if (e.error().cls != ErrorClass::Timeout) m_connected = false;  // vms-agentd restarted: ask again
                return;
            }
            if (e->name == "agent.connected" || e->name == "agent.disconnected") m_askAgain = true;
            if (e->name == "focus.changed" && e->body.is_object() && e->body.value("target", protocol::Json()).is_string())
                m_focus = e->body["target"].get<std::string>();
        }
    }
    std::string m_socket, m_vm, m_focus;
    LineClient m_client;
    bool m_connected = false, m_askAgain = false;
};

class Wall {
public:
    Wall(std::unique_ptr<agent::VmsAdapter> vms, Options opt) : m_vms(std::move(vms)), m_opt(std::move(opt)) {}

    /// Asks the VMS what it records (when due) and for one round of pictures; `draw` is called
    /// after every change so the screen fills in camera by camera.
    /// `stop()` is asked between cameras: a round of ZoneMinder pictures takes seconds under TCG.
    template <class Draw, class Stop>
    void refresh(Draw&& draw, Stop&& stop, const Canvas& canvas, const BitmapFont* font, bool shown) {
        const double now = nowS();
        // ZoneMinder's list costs a PHP request per camera: while nobody looks, every 5 minutes.
        const double listPeriodS = shown ? m_opt.listPeriodS : std::max(m_opt.listPeriodS, 300.0);
        if (m_state.title.empty() || now - m_listedS >= listPeriodS) list(), m_listedS = m_drawnS = now, draw(m_state);
        // libjpeg scales down while decoding: ask for about the cell's size, no more.
        const int cellWidth = cellRect(0, int(m_state.cameras.size()), canvas.width(), canvas.height(), font).width;
        // Drawing a 1280x800 wall costs tens of milliseconds under emulation: only when something
        // changed, and then at most once a second within a round (a slow round fills in camera by
        // camera), and once at its end.
        bool changed = false;
        for (WallCamera& cam : m_state.cameras) {
            if (stop()) return;
            auto jpeg = m_vms->snapshot(cam.id);
            const std::string before = cam.note;
            if (!jpeg) {
                cam.note = jpeg.error().message;
            } else if (*jpeg == m_lastJpeg[cam.id] && cam.picture) {
                if (cam.recording) cam.note.clear();  // the VMS gave the same picture again (ZoneMinder between fragments)
            } else if (auto picture = decodeJpeg(*jpeg, cellWidth); !picture) {
                cam.note = picture.error().message;
            } else {
                cam.picture = std::move(*picture);
                cam.pictureAtS = nowS();
                m_lastJpeg[cam.id] = std::move(*jpeg);
                if (cam.recording) cam.note.clear();
                changed = true;
            }
            changed = changed || cam.note != before;
            if (changed && nowS() - m_drawnS >= 1) {
                m_state.nowS = m_drawnS = nowS();
                draw(m_state);
                changed = false;
            }
        }
        // Also every half minute without news, so the title's clock says the wall is alive.
        if (changed || nowS() - m_drawnS >= 30) {
            m_state.nowS = m_drawnS = nowS();
            draw(m_state);
        }
    }
    const WallState& state() const { return m_state; }
    void forceList() { m_listedS = 0; }
    void setVmName(const std::string& vm) { m_vmName = vm; }

private:
    void list() {
        auto info = m_vms->info();
        if (info) {
            m_product = info->product + (info->version.empty() ? "" : " " + info->version);
        }
        m_state.title = (m_product.empty() ? std::string("VMS") : m_product) + " - live view" + (m_vmName.empty() ? "" : " - " + m_vmName);
        m_state.nowS = nowS();
        auto cams = m_vms->cameras();
        if (!cams) {
            m_state.cameras.clear();
            m_state.message = "The VMS does not answer: " + cams.error().message;
            return;
        }
        std::map<std::string, WallCamera> old;
        for (WallCamera& c : m_state.cameras) old[c.id] = std::move(c);
        m_state.cameras.clear();
        for (const agent::CameraState& c : *cams) {
            WallCamera w = old.count(c.id) ? std::move(old[c.id]) : WallCamera{};
            w.id = c.id;
            w.name = c.name.empty() ? "camera " + c.id : c.name;
            w.recording = c.recording;
            w.note = c.recording ? "" : c.reason;
            m_state.cameras.push_back(std::move(w));
        }
        m_state.message = info && !info->ready ? "The VMS is not ready: " + info->reason
                                               : "No cameras are recorded by " + (m_product.empty() ? std::string("this VMS") : m_product) + " yet";
    }

    std::unique_ptr<agent::VmsAdapter> m_vms;
    Options m_opt;
    WallState m_state;
    std::string m_product, m_vmName;
    double m_listedS = 0, m_drawnS = 0;
    std::map<std::string, std::string> m_lastJpeg;  ///< per camera id: the picture drawn
};

bool writePpm(const Canvas& c, const std::string& path) {
    std::ofstream out(path, std::ios::binary);
    out << "P6\n" << c.width() << " " << c.height() << "\n255\n";
    for (std::uint32_t p : c.pixels()) {
        const char px[3] = {char(p >> 16 & 0xff), char(p >> 8 & 0xff), char(p & 0xff)};
        out.write(px, 3);
    }
    return bool(out);
}

int parse(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool hasValue = i + 1 < argc;
        auto seconds = [&](double& to) {
            to = std::atof(argv[++i]);
            return to >= 0.1 && to <= 3600;
        };
        if (a == "--help" || a == "-h") return std::fputs(kUsage, stdout), -1;
        if (!hasValue) return std::fputs(kUsage, stderr), EX_USAGE;
        if (a == "--vms") o.vms = argv[++i];
        else if (a == "--fb") o.fb = argv[++i];
        else if (a == "--tty") o.tty = argv[++i];
        else if (a == "--agent-socket") o.agentSocket = argv[++i];
        else if (a == "--once-ppm") o.oncePpm = argv[++i];
        else if ((a == "--shown-period" && seconds(o.shownPeriodS)) || (a == "--hidden-period" && seconds(o.hiddenPeriodS)) ||
                 (a == "--list-period" && seconds(o.listPeriodS))) {
        } else {
            std::fprintf(stderr, "vms-wall: bad option or value: %s\n%s", a.c_str(), kUsage);
            return EX_USAGE;
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    if (int rc = parse(argc, argv, opt); rc != 0) return rc < 0 ? EX_OK : rc;
    logging::setup("vms-wall");
    auto vms = agent::makeVmsAdapter(opt.vms);
    if (!vms) {
        log()->error("{}", vms.error().message);
        return EX_UNAVAILABLE;
    }
    Wall wall(std::move(*vms), opt);

    if (!opt.oncePpm.empty()) {
        Canvas canvas(1280, 800);
        wall.refresh([](const WallState&) {}, [] { return false; }, canvas, nullptr, true);
        renderWall(wall.state(), nullptr, canvas);
        return writePpm(canvas, opt.oncePpm) ? EX_OK : EX_CANTCREAT;
    }

    // SIGTERM (systemd stop) and SIGINT end the loop, so the terminal goes back to text mode; blocked
    // before the terminal is switched, so a stop in between still ends here.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    sigprocmask(SIG_BLOCK, &stopSignals, nullptr);
    const int signals = signalfd(-1, &stopSignals, SFD_CLOEXEC);
    if (signals < 0) {
        log()->error("signalfd: {}", std::strerror(errno));
        return EX_OSERR;
    }
    auto screen = FramebufferScreen::open(opt.fb, opt.tty);
    if (!screen) {
        log()->error("{}", screen.error().message);
        return EX_UNAVAILABLE;
    }
    auto font = screen->consoleFont();
    if (!font) log()->warn("{}; the wall shows pictures without names", font.error().message);
    const BitmapFont* fontPtr = font ? &*font : nullptr;
    Canvas canvas(screen->width(), screen->height());
    auto draw = [&](const WallState& s) {
        renderWall(s, fontPtr, canvas);
        screen->show(canvas);
    };

    auto stopAsked = [&](int waitMs) {
        pollfd p{signals, POLLIN, 0};
        return poll(&p, 1, waitMs) > 0;
    };

    DisplayOwnership display(opt.agentSocket);
    log()->info("vms-wall on {} ({}x{}), pictures every {} s while this VM has the display, every {} s otherwise", opt.fb,
                screen->width(), screen->height(), opt.shownPeriodS, opt.hiddenPeriodS);
    auto sayWhoLooks = [&] {
        log()->info("{}", display.shown() ? "this VM has the display: pictures every " + std::to_string(int(opt.shownPeriodS)) + " s"
                                          : "this VM does not have the display: pictures every " +
                                                std::to_string(int(opt.hiddenPeriodS)) + " s");
    };
    display.refresh();
    sayWhoLooks();
    for (;;) {
        if (display.refresh()) sayWhoLooks();
        wall.setVmName(display.vm());
        const double started = nowS();
        wall.refresh(draw, [&] { return stopAsked(0); }, canvas, fontPtr, display.shown());
        const double period = display.shown() ? opt.shownPeriodS : opt.hiddenPeriodS;
        // Sleep until the next round (at least a second, also after a slow round: the VMS shares
        // the guest's one CPU), a stop signal, or this VM getting the display.
        double left = std::max(1.0, period - (nowS() - started));
        for (const double until = nowS() + left; left > 0; left = until - nowS()) {
            pollfd fds[2] = {{signals, POLLIN, 0}, {display.fd(), POLLIN, 0}};
            const int n = poll(fds, fds[1].fd >= 0 ? 2 : 1, int(std::min(left, 5.0) * 1000) + 1);
            if (n > 0 && (fds[0].revents & POLLIN)) break;
            if (display.refresh()) {
                sayWhoLooks();
                if (display.shown()) {
                    wall.forceList();  // the operator is looking now: a fresh list and pictures at once
                    break;
                }
            }
        }
        if (stopAsked(0)) {
            log()->info("stopping; the terminal goes back to text mode");
            return EX_OK;
        }
    }
}
