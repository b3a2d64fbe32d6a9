// SPDX-License-Identifier: GPL-2.0-or-later
// What the operator sees of a VMS guest: the kiosk console, rendered offscreen with its live VNC
// sessions, is switched to each real VMS guest (ZoneMinder, motion) that records a simulated
// camera; the console then shows that guest's screen, vms-wall's grid with the VMS's own picture
// of the camera (the simulator's black and white rays) under the wall's title bar. The console's
// CPU and frames shown while a guest's wall plays are printed as figures. Screenshots are kept as
// artifacts. The guests are shared with the VMS tests (vms_guests_env.h).
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sys/resource.h>

#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QtQml/QQmlExtensionPlugin>

#include "console_controller.h"
#include "integration/qt_test_support.h"
#include "integration/vms_guests_env.h"


namespace appliance::test {
namespace {

struct WallPixels {
    int titleBar = 0;  ///< vms-wall's title bar colour (32, 44, 64), in the top rows
    int bright = 0;    ///< near-white pixels below it: the simulator's rays (text is far fewer)
};

WallPixels look(const QImage& shot) {
    WallPixels w;
    const QImage img = shot.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < img.height(); y += 2)
        for (int x = 0; x < img.width(); x += 2) {
            const QRgb p = img.pixel(x, y);
            if (y < 40 && std::abs(qRed(p) - 32) < 8 && std::abs(qGreen(p) - 44) < 8 && std::abs(qBlue(p) - 64) < 8) ++w.titleBar;
            if (y >= 40 && qRed(p) > 200 && qGreen(p) > 200 && qBlue(p) > 200) ++w.bright;
        }
    return w;
}

double cpuSeconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

TEST(GuestScreenTest, SwitchingToAVmsGuestShowsItsCamerasAsThatVmsRecordsThem) {
    CameraSimProcess sim({"--cameras", "1", "--no-discovery", "--sub", "320x180@5", "--name-prefix", "Screen cam"});
    ASSERT_TRUE(sim.start()) << sim.errors();
    const std::set<std::string> ours = {sim.cameras().at(0)["endpoint_reference"]};
    LineClient& admin = *VmsGuests::self->admin;
    // Whatever fails below, the shared guests are left as found: no display, no camera of ours.
    struct Cleanup {
        LineClient& admin;
        const std::set<std::string>& ours;
        ~Cleanup() {
            (void)admin.call("focus.set", {{"target", "admin-console"}});
            VmsGuests::self->removeFromBoth(ours);
        }
    } cleanup{admin, ours};
    for (const char* product : {"zoneminder", "motion"}) {
        VmsGuests::self->recordIn(product, sim.cameras());
        ASSERT_FALSE(HasFatalFailure());
    }

    QQmlApplicationEngine engine;
    engine.setInitialProperties({{QStringLiteral("adminSocket"), QString::fromStdString(VmsGuests::self->daemon->socket())}});
    engine.load(QUrl(QStringLiteral("qrc:/AppliancesConsole/qml/Main.qml")));
    ASSERT_FALSE(engine.rootObjects().isEmpty()) << "the console's QML did not load";
    auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().first());
    ASSERT_NE(window, nullptr);
    window->resize(1280, 800);
    auto* controller = window->property("controller").value<console::ConsoleController*>();
    ASSERT_NE(controller, nullptr);
    ASSERT_TRUE(spinUntil([&] { return controller->connected(); }, std::chrono::seconds(20)));
    std::filesystem::create_directories(APPLIANCE_ARTIFACT_DIR);

    for (const char* product : {"zoneminder", "motion"}) {
        const std::string vm = VmsGuests::self->vm(product);
        QQuickItem* display = nullptr;
        ASSERT_TRUE(spinUntil([&] {
            display = findItem(window->contentItem(), QString::fromStdString("display-" + vm));
            return display && display->property("hasFrame").toBool();
        }, std::chrono::seconds(60))) << "no frames from " << vm << "'s display";
        // vms-wall says in its journal when its VM gets the display (it then refreshes every 2 s).
        auto toldShown = [&] {
            int rc = -1;
            const std::string n = VmsGuests::self->daemon->guestRun(
                vm, "journalctl -u vms-wall -o cat | grep -c 'this VM has the display'", &rc);
            return std::atoi(n.c_str());
        };
        const int shownBefore = toldShown();
        ASSERT_TRUE(admin.call("focus.set", {{"target", vm}}));
        ASSERT_TRUE(spinUntil([&] { return controller->focus().toStdString() == vm; }, std::chrono::seconds(10)));
        // vms-wall refreshes its pictures at once when its VM gets the display; ZoneMinder's come
        // out of its recording through ffmpeg, seconds under TCG. The checks below still fail if
        // the wall never shows the camera.
        WallPixels seen;
        const auto asked = Clock::now();
        (void)spinUntil([&] {
            seen = look(window->grabWindow());
            return seen.titleBar > 2000 && seen.bright > 20000;
        }, std::chrono::seconds(120));
        figure(std::string("vms_wall_switch_to_picture_s_") + product, secondsSince(asked));
        const std::string path = std::string(APPLIANCE_ARTIFACT_DIR) + "/vms-screen-" + product + ".png";
        window->grabWindow().save(QString::fromStdString(path));
        std::printf("screenshot: %s\n", path.c_str());
        EXPECT_GT(seen.titleBar, 2000) << vm << "'s screen does not show vms-wall's title bar";
        EXPECT_GT(seen.bright, 20000) << vm << "'s screen does not show the camera's picture (" << seen.bright
                                      << " bright pixels)";
        EXPECT_TRUE(spinUntil([&] { return toldShown() > shownBefore; }, std::chrono::seconds(30)))
            << "vms-wall in " << vm << " did not notice that its VM has the display";

        // The console's cost while the shown guest's wall changes (a picture every 2 s).
        int frames = 0;
        auto counter = QObject::connect(window, &QQuickWindow::frameSwapped, [&] { ++frames; });
        const double cpu0 = cpuSeconds();
        const auto t0 = Clock::now();
        QTest::qWait(20000);
        const double wallS = secondsSince(t0);
        QObject::disconnect(counter);
        figure(std::string("console_cpu_percent_showing_wall_") + product, 100.0 * (cpuSeconds() - cpu0) / wallS);
        figure(std::string("console_frames_per_s_showing_wall_") + product, frames / wallS);
    }
}

}  // namespace
}  // namespace appliance::test
