// SPDX-License-Identifier: GPL-2.0-or-later
// vms-agent-tray's picker, rendered offscreen (software Qt Quick) against the real vms-agentd and
// applianced: a mouse click on a VM switches the display to it; a stopped VM is refused with a
// clear message; a screenshot of what the operator sees is kept as an artifact.
#include <filesystem>

#include <QGuiApplication>
#include <QStyleHints>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_controller.h"
#include "integration/applianced_fixture.h"
#include "integration/qt_test_support.h"

Q_IMPORT_QML_PLUGIN(VmsAgentTrayPlugin)

namespace appliance::test {
namespace {


TEST(TrayTest, AClickInThePickerSwitchesTheDisplayAndAStoppedVmIsRefusedPlainly) {
    ApplianceDaemon daemon({"agent_tcp_advertise=127.0.0.1"});
    daemon.start();
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    auto admin = daemon.client();
    const std::string a = daemon.vmName("tray-a"), b = daemon.vmName("tray-b"), off = daemon.vmName("tray-off");
    for (const auto& vm : {a, b, off}) daemon.createVm(*admin, vm);
    for (const auto& vm : {a, b}) ASSERT_TRUE(admin->call("vm.start", {{"name", vm}}));

    // The agent of VM a, on the host (over TLS), as the tray would find it inside a.
    const std::string agentSocket = daemon.dir() + "/tray-agent.sock";
    pid_t agent = daemon.startHostAgent(a, agentSocket);

    QQmlApplicationEngine engine;
    engine.load(QUrl(QStringLiteral("qrc:/VmsAgentTray/tray/qml/Main.qml")));
    ASSERT_FALSE(engine.rootObjects().isEmpty()) << "the picker's QML did not load";
    auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().first());
    ASSERT_NE(window, nullptr);
    auto* controller = window->property("controller").value<tray::AgentController*>();
    ASSERT_NE(controller, nullptr);
    controller->setSocketPath(QString::fromStdString(agentSocket));

    auto row = [&](const std::string& name) { return findItem(window->contentItem(), QString::fromStdString("target-" + name)); };
    ASSERT_TRUE(spinUntil([&] { return controller->connected() && row(b) && row(off); }, std::chrono::seconds(30)))
        << "the picker never listed the targets; message: " << controller->message().toStdString()
        << "\nvms-agentd says: " << shell(std::string(VMS_AGENT_PATH) + " --socket " + agentSocket + " --json status");
    EXPECT_EQ(controller->thisVm().toStdString(), a);

    auto click = [&](QQuickItem* item) {
        QPointF centre = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
        QTest::mouseClick(window, Qt::LeftButton, Qt::NoModifier, centre.toPoint());
    };
    // The operator works in A (it has the display), so A's picker may hand the display on.
    ASSERT_TRUE(admin->call("focus.set", {{"target", a}}));
    click(row(b));
    EXPECT_TRUE(spinUntil([&] { return admin->call("focus.get")->value("target", "") == b; }, std::chrono::seconds(15)))
        << controller->message().toStdString();
    EXPECT_TRUE(spinUntil([&] { return controller->focus().toStdString() == b; }, std::chrono::seconds(10)));
    EXPECT_EQ(controller->message().toStdString(), b + " has the display");

    std::filesystem::create_directories(APPLIANCE_ARTIFACT_DIR);
    const std::string shot = std::string(APPLIANCE_ARTIFACT_DIR) + "/vms-agent-tray.png";
    QImage image = window->grabWindow();
    ASSERT_FALSE(image.isNull());
    EXPECT_TRUE(image.save(QString::fromStdString(shot)));
    std::printf("screenshot of the picker: %s\n", shot.c_str());

    QTest::qWait(QGuiApplication::styleHints()->mouseDoubleClickInterval() + 200);  // two clicks, not a double-click
    click(row(off));
    EXPECT_TRUE(spinUntil([&] { return controller->message().contains("not running"); }, std::chrono::seconds(5)))
        << controller->message().toStdString();
    EXPECT_TRUE(controller->messageIsError());
    EXPECT_EQ(admin->call("focus.get")->value("target", ""), b) << "a stopped VM must not take the display";

    stopProcess(agent);
}

}  // namespace
}  // namespace appliance::test

int main(int argc, char** argv) { return appliance::test::runQtTests(argc, argv); }
