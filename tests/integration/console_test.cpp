// SPDX-License-Identifier: GPL-2.0-or-later
// The kiosk, rendered offscreen (software Qt Quick), with live VNC sessions to two real TCG guests
// whose banners differ in colour: when applianced moves the focus, the next screenshot shows the
// focused guest's pixels and none of the other's. Screenshots are kept as artifacts.
#include <filesystem>
#include <thread>

#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>
#include <gtest/gtest.h>

#include "ask_queue.h"
#include "console_controller.h"
#include "integration/applianced_fixture.h"
#include "integration/qt_test_support.h"
#include "integration/raw_tls_agent.h"

Q_IMPORT_QML_PLUGIN(AppliancesConsolePlugin)

namespace appliance::test {
namespace {


struct Colours {
    int red = 0, blue = 0;
};
// The guests' banners: VGA red (0xAA0000) for one, VGA blue (0x0000AA) for the other.
Colours count(const QImage& image) {
    Colours c;
    QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < rgb.height(); y += 2)
        for (int x = 0; x < rgb.width(); x += 2) {
            QRgb p = rgb.pixel(x, y);
            if (qRed(p) > 120 && qGreen(p) < 60 && qBlue(p) < 60) ++c.red;
            if (qBlue(p) > 120 && qRed(p) < 60 && qGreen(p) < 60) ++c.blue;
        }
    return c;
}

class ConsoleTest : public DaemonTest {};

TEST_F(ConsoleTest, TheKioskShowsTheFocusedGuestFullScreenAndFollowsFocusChanges) {
    const std::string red = daemon.vmName("red"), blue = daemon.vmName("blue");
    daemon.createVm(*admin, red, "appliance.color=41");
    daemon.createVm(*admin, blue, "appliance.color=44");
    for (const auto& vm : {red, blue}) ASSERT_TRUE(admin->call("vm.start", {{"name", vm}}));
    for (const auto& vm : {red, blue}) ASSERT_TRUE(daemon.waitForGuestBoot(vm)) << daemon.consoleLog(vm);

    QQmlApplicationEngine engine;
    engine.setInitialProperties({{QStringLiteral("adminSocket"), QString::fromStdString(daemon.socket())}});
    engine.load(QUrl(QStringLiteral("qrc:/AppliancesConsole/qml/Main.qml")));
    ASSERT_FALSE(engine.rootObjects().isEmpty()) << "the console's QML did not load";
    auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().first());
    ASSERT_NE(window, nullptr);
    auto* controller = window->property("controller").value<console::ConsoleController*>();
    ASSERT_NE(controller, nullptr);

    auto display = [&](const std::string& vm) { return findItem(window->contentItem(), QString::fromStdString("display-" + vm)); };
    // A live session to every running guest, before any switch.
    ASSERT_TRUE(spinUntil([&] {
        return display(red) && display(blue) && display(red)->property("hasFrame").toBool() &&
               display(blue)->property("hasFrame").toBool();
    }, std::chrono::seconds(60))) << "no frames from the guests' displays";

    std::filesystem::create_directories(APPLIANCE_ARTIFACT_DIR);
    auto shot = [&](const std::string& name) {
        QImage image = window->grabWindow();
        image.save(QString::fromStdString(std::string(APPLIANCE_ARTIFACT_DIR) + "/" + name));
        std::printf("screenshot: %s/%s\n", APPLIANCE_ARTIFACT_DIR, name.c_str());
        return image;
    };
    Colours admin0 = count(shot("console-admin.png"));
    EXPECT_EQ(controller->focus().toStdString(), "admin-console");
    EXPECT_LT(admin0.red + admin0.blue, 50) << "no guest is shown while the admin console has the display";

    for (const auto& [vm, wantRed] : {std::pair{red, true}, std::pair{blue, false}}) {
        ASSERT_TRUE(admin->call("focus.set", {{"target", vm}}));
        ASSERT_TRUE(spinUntil([&] { return controller->focus().toStdString() == vm; }, std::chrono::seconds(10)));
        // The indicator flashes for 2.5 s after the switch: check it before waiting for the guest's colour.
        QQuickItem* indicator = findItem(window->contentItem(), "switchIndicator");
        ASSERT_NE(indicator, nullptr);
        EXPECT_TRUE(spinUntil([&] { return indicator->opacity() > 0.0; }, std::chrono::seconds(2)))
            << "the switch indicator shows on every switch";
        // A session has a frame as soon as the guest's display exists, which may still be the
        // black of its boot: give the guest time to paint its colour (the checks below still fail
        // if it never shows).
        (void)spinUntil([&] {
            Colours now = count(window->grabWindow());
            return (wantRed ? now.red : now.blue) > 2000;
        }, std::chrono::seconds(30));
        QImage image = shot("console-" + std::string(wantRed ? "red" : "blue") + ".png");
        Colours c = count(image);
        if (wantRed) {
            EXPECT_GT(c.red, 2000) << vm;
            EXPECT_LT(c.blue, 50) << "the other guest's pixels are showing";
        } else {
            EXPECT_GT(c.blue, 2000) << vm;
            EXPECT_LT(c.red, 50) << "the other guest's pixels are showing";
        }
    }
    // Keys typed into the console reach only the guest that has the display (checked inside both).
    ASSERT_TRUE(admin->call("focus.set", {{"target", red}}));
    ASSERT_TRUE(spinUntil([&] { return controller->focus().toStdString() == red; }, std::chrono::seconds(10)));
    QTest::qWait(200);
    for (char ch : std::string("touch /tmp/typed")) QTest::keyClick(window, ch);
    QTest::keyClick(window, Qt::Key_Return);
    int rc = -1;
    EXPECT_TRUE(waitUntil([&] { daemon.guestRun(red, "ls /tmp/typed", &rc); return rc == 0; }, std::chrono::seconds(20)))
        << "the focused guest did not receive the typed command";
    daemon.guestRun(blue, "ls /tmp/typed", &rc);
    EXPECT_NE(rc, 0) << "a guest without the display received keys";

    // A host hotkey is not forwarded; it asks applianced for the admin console.
    QTest::keyClick(window, Qt::Key_Home, Qt::ControlModifier | Qt::AltModifier);
    EXPECT_TRUE(spinUntil([&] { return admin->call("focus.get")->value("target", "") == "admin-console"; },
                          std::chrono::seconds(10)));
    shot("console-after-hotkey.png");

    // The focused guest stops: the console goes back to the admin console.
    ASSERT_TRUE(admin->call("focus.set", {{"target", blue}}));
    ASSERT_TRUE(spinUntil([&] { return controller->focus().toStdString() == blue; }, std::chrono::seconds(10)));
    ASSERT_TRUE(admin->call("vm.destroy", {{"name", blue}}));
    EXPECT_TRUE(spinUntil([&] { return controller->focus() == "admin-console"; }, std::chrono::seconds(15)));
}

TEST_F(ConsoleTest, AnAgentsAskAppearsOnTheConsoleAndTheOperatorsAllowSwitches) {
    const std::string asker = daemon.vmName("asker"), target = daemon.vmName("target");
    for (const auto& vm : {asker, target}) {
        daemon.createVm(*admin, vm);
        ASSERT_TRUE(admin->call("vm.start", {{"name", vm}}));
    }
    daemon.writePolicy("10-ask.policy", asker + " focus.request " + target + " ask\n");

    QQmlApplicationEngine engine;
    engine.setInitialProperties({{QStringLiteral("adminSocket"), QString::fromStdString(daemon.socket())}});
    engine.load(QUrl(QStringLiteral("qrc:/AppliancesConsole/qml/Main.qml")));
    ASSERT_FALSE(engine.rootObjects().isEmpty());
    auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().first());
    auto* controller = window->property("controller").value<console::ConsoleController*>();
    ASSERT_TRUE(spinUntil([&] { return controller->connected(); }, std::chrono::seconds(10)));

    // The asking guest's agent, over TLS with the VM's real directory.
    Json directory = daemon.directory(asker);
    int port = daemon.agentTcpPort(asker);
    ASSERT_GT(port, 0);
    Json answer;
    std::thread guest([&] {
        RawTlsAgent agent(port);
        if (!agent.authenticate(asker, directory["secret"])) return;
        answer = agent.send({{"execute", "focus.request"}, {"arguments", {{"target", target}}}, {"id", 1}});
        while (answer.contains("event")) answer = agent.next();  // the "pending" notice comes first
    });
    ASSERT_TRUE(spinUntil([&] { return controller->askId() > 0; }, std::chrono::seconds(20)));
    EXPECT_EQ(controller->askBy().toStdString(), asker);
    EXPECT_EQ(controller->askTarget().toStdString(), target);
    QQuickItem* allow = findItem(window->contentItem(), "askAllow");
    ASSERT_NE(allow, nullptr);
    // A click that lands the moment an ask appears decides nothing: it may have been aimed at
    // something else. The buttons arm after a short delay.
    EXPECT_FALSE(controller->askArmed());
    const int shownId = controller->askId();
    controller->decide(shownId, true);
    EXPECT_EQ(controller->askId(), shownId) << "an unarmed click decided the ask";
    controller->decide(shownId + 1000, true);
    EXPECT_EQ(controller->askId(), shownId) << "a click names the ask it decides";
    ASSERT_TRUE(spinUntil([&] { return controller->askArmed() && allow->isEnabled(); }, std::chrono::seconds(5)));
    std::filesystem::create_directories(APPLIANCE_ARTIFACT_DIR);
    QImage dialog = window->grabWindow();
    dialog.save(QString::fromStdString(std::string(APPLIANCE_ARTIFACT_DIR) + "/console-ask.png"));
    clickItem(window, allow);
    EXPECT_TRUE(spinUntil([&] { return controller->focus().toStdString() == target; }, std::chrono::seconds(10)));
    guest.join();
    EXPECT_EQ(answer.value("return", Json::object()).value("target", ""), target) << answer.dump();
    EXPECT_EQ(controller->askId(), 0) << "the dialog closes once answered";
}

// The operator's side of asks, without a daemon: replacement is visible and disarms the buttons.
TEST(AskQueueTest, ANewerAskFromTheSameGuestReplacesTheShownOneAndMustArmAgain) {
    console::AskQueue asks;
    asks.add({1, "legacy-vms", "admin-console"});
    asks.add({2, "new-vms", "legacy-vms"});
    EXPECT_EQ(asks.shown().id, 1);
    ASSERT_TRUE(spinUntil([&] { return asks.armed(); }, std::chrono::seconds(5)));
    EXPECT_TRUE(asks.decidable(1));
    EXPECT_FALSE(asks.decidable(2)) << "only the ask on screen can be decided";
    asks.add({3, "legacy-vms", "new-vms"});  // replaces ask 1, which was on screen
    EXPECT_EQ(asks.shown().id, 2) << "the replaced ask leaves; the next in line is shown";
    EXPECT_FALSE(asks.armed()) << "a new ask on screen must not take a click aimed at the old one";
    EXPECT_FALSE(asks.decidable(1));
    asks.remove(2);
    EXPECT_EQ(asks.shown().id, 3);
    EXPECT_TRUE(asks.shown().replacesEarlier);
    EXPECT_FALSE(asks.decidable(3));
    ASSERT_TRUE(spinUntil([&] { return asks.decidable(3); }, std::chrono::seconds(5)));
}

}  // namespace
}  // namespace appliance::test

int main(int argc, char** argv) { return appliance::test::runQtTests(argc, argv); }
