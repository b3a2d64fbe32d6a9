// SPDX-License-Identifier: GPL-2.0-or-later
// The admin console page, rendered offscreen against a private applianced and a real TCG guest:
// the guest is started and shut down by clicking the page's own buttons (through the confirmation
// a destructive action needs), the state shown follows, a cancelled confirmation changes nothing,
// and a refused setting is explained on the guest's row. Screenshots are kept as artifacts.
#include <filesystem>

#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>
#include <gtest/gtest.h>

#include "console_controller.h"
#include "integration/applianced_fixture.h"
#include "integration/qt_test_support.h"
#include "integration/raw_tls_agent.h"

Q_IMPORT_QML_PLUGIN(AppliancesConsolePlugin)

namespace appliance::test {
namespace {

class ConsoleAdminTest : public DaemonTest {
protected:
    void loadConsole(QVariantMap properties = {}) {
        properties.insert(QStringLiteral("adminSocket"), QString::fromStdString(daemon.socket()));
        engine.setInitialProperties(properties);
        engine.load(QUrl(QStringLiteral("qrc:/AppliancesConsole/qml/Main.qml")));
        ASSERT_FALSE(engine.rootObjects().isEmpty()) << "the console's QML did not load";
        window = qobject_cast<QQuickWindow*>(engine.rootObjects().first());
        ASSERT_NE(window, nullptr);
        window->resize(1400, 800);
        controller = window->property("controller").value<console::ConsoleController*>();
        ASSERT_NE(controller, nullptr);
        ASSERT_TRUE(spinUntil([&] { return controller->connected(); }, std::chrono::seconds(10)));
    }
    QQuickItem* item(const std::string& objectName) {
        return findItem(window->contentItem(), QString::fromStdString(objectName));
    }
    /// The state the page shows for `vm`, as its label reads ("running", "shut off").
    std::string shownState(const std::string& vm) {
        QQuickItem* label = item("state-" + vm);
        return label ? label->property("text").toString().toStdString() : std::string();
    }
    std::string outcome(const std::string& vm) {
        QQuickItem* label = item("outcome-" + vm);
        return label ? label->property("text").toString().toStdString() : std::string();
    }
    /// Clicks `button` when the page has enabled it (it follows the guest's state).
    bool clickWhenEnabled(const std::string& button) {
        if (!spinUntil([&] { QQuickItem* b = item(button); return b && b->isEnabled() && b->isVisible(); },
                       std::chrono::seconds(15)))
            return false;
        clickItem(window, item(button));
        return true;
    }
    /// Answers the confirmation dialog once it is open.
    bool confirm(bool yes) { return clickWhenEnabled(yes ? "confirmYes" : "confirmNo"); }
    void shot(const std::string& name) {
        std::filesystem::create_directories(APPLIANCE_ARTIFACT_DIR);
        window->grabWindow().save(QString::fromStdString(std::string(APPLIANCE_ARTIFACT_DIR) + "/" + name));
        std::printf("screenshot: %s/%s\n", APPLIANCE_ARTIFACT_DIR, name.c_str());
    }

    QQmlApplicationEngine engine;
    QQuickWindow* window = nullptr;
    console::ConsoleController* controller = nullptr;
};

TEST_F(ConsoleAdminTest, StartAndShutDownThroughThePagesControlsAndTheStateShownFollows) {
    const std::string vm = daemon.vmName("admin");
    daemon.createVm(*admin, vm);
    loadConsole();
    ASSERT_TRUE(spinUntil([&] { return shownState(vm) == "shut off"; }, std::chrono::seconds(10)))
        << "the page does not list the new guest as shut off; it shows '" << shownState(vm) << "'";

    ASSERT_TRUE(clickWhenEnabled("start-" + vm));
    EXPECT_TRUE(spinUntil([&] { return shownState(vm) == "running"; }, std::chrono::seconds(30)))
        << "shown: '" << shownState(vm) << "'; " << outcome(vm);
    EXPECT_EQ(virshDomstate(vm), "running");
    ASSERT_TRUE(daemon.waitForGuestBoot(vm)) << daemon.consoleLog(vm);
    // Live history: a few samples at applianced's stats interval.
    EXPECT_TRUE(spinUntil([&] {
        QQuickItem* chart = item("memoryChart-" + vm);
        return chart && chart->property("values").toList().size() >= 3;
    }, std::chrono::seconds(20))) << "the memory chart collects no samples";
    shot("console-admin-page.png");

    // A cancelled confirmation runs nothing.
    ASSERT_TRUE(clickWhenEnabled("forceOff-" + vm));
    ASSERT_TRUE(confirm(false));
    QTest::qWait(1000);
    EXPECT_EQ(virshDomstate(vm), "running") << "Cancel forced the guest off";

    // Shut down, confirmed: the guest powers off on ACPI and the page shows it.
    ASSERT_TRUE(clickWhenEnabled("shutdown-" + vm));
    shot("console-admin-confirm.png");
    ASSERT_TRUE(confirm(true));
    EXPECT_TRUE(spinUntil([&] { return shownState(vm) == "shut off"; }, std::chrono::seconds(90)))
        << "shown: '" << shownState(vm) << "'; " << outcome(vm);
    EXPECT_EQ(virshDomstate(vm), "shut off");
    EXPECT_TRUE(spinUntil([&] { return outcome(vm) == "The guest shut down."; }, std::chrono::seconds(10)))
        << outcome(vm);

    // The audit log on the page lists what was done through it.
    bool audited = spinUntil([&] {
        QQuickItem* list = item("auditList");
        return list && list->property("count").toInt() >= 2;
    }, std::chrono::seconds(10));
    EXPECT_TRUE(audited) << "the audit list stays empty";
}

TEST_F(ConsoleAdminTest, EveryControlOfAGuestRowFitsA1024By768Screen) {
    const std::string vm = daemon.vmName("narrow-screen-guest");
    daemon.createVm(*admin, vm);
    loadConsole({{QStringLiteral("migratorSocket"), QStringLiteral("/nonexistent/camera-migrator.sock")}});
    window->resize(1024, 768);
    ASSERT_TRUE(spinUntil([&] { return item("apply-" + vm) != nullptr; }, std::chrono::seconds(10)));
    auto fits = [&](const std::string& name) {
        QQuickItem* i = item(name);
        if (!i) return ::testing::AssertionFailure() << name << " is missing";
        spinUntil([&] { return window->width() == 1024 && i->width() >= 2; }, std::chrono::seconds(5));
        QTest::qWait(100);
        const QRectF r = i->mapRectToScene(QRectF(0, 0, i->width(), i->height()));
        if (r.right() > 1024 || r.left() < 0 || r.width() < 2) return ::testing::AssertionFailure() << name << " is at " << r.left() << ".." << r.right();
        return ::testing::AssertionSuccess();
    };
    for (const char* control : {"start-", "shutdown-", "forceOff-", "reboot-", "show-", "vcpus-", "memory-", "autostart-",
                                       "apply-", "cpuChart-", "memoryChart-", "memoryText-", "state-"})
        EXPECT_TRUE(fits(control + vm));
    shot("console-admin-1024.png");
    ASSERT_TRUE(clickWhenEnabled("migrationTab"));
    for (const char* control : {"cameraFilter", "refreshInventory", "toPlanPage", "migratorStatus"}) EXPECT_TRUE(fits(control));
}

TEST_F(ConsoleAdminTest, TheMigrationTabOpensTheWizardWhichSaysWhenCameraMigratordIsNotThere) {
    loadConsole({{QStringLiteral("migratorSocket"), QStringLiteral("/nonexistent/camera-migrator.sock")}});
    ASSERT_TRUE(clickWhenEnabled("migrationTab"));
    QQuickItem* wizard = item("migrationWizard");
    ASSERT_NE(wizard, nullptr);
    EXPECT_TRUE(spinUntil([&] { return wizard->isVisible(); }, std::chrono::seconds(5))) << "the tab does not show the wizard";
    QQuickItem* status = item("migratorStatus");
    ASSERT_NE(status, nullptr);
    EXPECT_EQ(status->property("text").toString().toStdString(), "Waiting for camera-migratord…");
    EXPECT_FALSE(item("toPlanPage")->isEnabled()) << "no cameras, nothing to plan";
    shot("console-wizard-no-migratord.png");
}

TEST_F(ConsoleAdminTest, ARefusedSettingIsExplainedOnTheGuestsRowAndChangesNothing) {
    const std::string vm = daemon.vmName("config");
    daemon.createVm(*admin, vm);
    loadConsole();
    ASSERT_TRUE(spinUntil([&] { return item("memory-" + vm) != nullptr; }, std::chrono::seconds(10)));
    const int before = admin->call("vm.info", {{"name", vm}})->value("memory_mib", 0);

    // More memory than the host has: applianced refuses, the row says why.
    item("memory-" + vm)->setProperty("value", 200000);
    ASSERT_TRUE(clickWhenEnabled("apply-" + vm));
    EXPECT_TRUE(spinUntil([&] { return outcome(vm).find("memory_mib") != std::string::npos; }, std::chrono::seconds(10)))
        << "the row shows: '" << outcome(vm) << "'";
    shot("console-admin-error.png");
    EXPECT_EQ(admin->call("vm.info", {{"name", vm}})->value("memory_mib", 0), before) << "a refused change was applied";

    // A valid change goes through and the row reports it.
    item("memory-" + vm)->setProperty("value", before + 64);
    item("vcpus-" + vm)->setProperty("value", 2);
    ASSERT_TRUE(clickWhenEnabled("apply-" + vm));
    EXPECT_TRUE(spinUntil([&] { return admin->call("vm.info", {{"name", vm}})->value("memory_mib", 0) == before + 64; },
                          std::chrono::seconds(10)));
    EXPECT_EQ(admin->call("vm.info", {{"name", vm}})->value("vcpus", 0), 2);
    EXPECT_TRUE(spinUntil([&] { return !outcome(vm).empty() && outcome(vm).find("memory_mib") == std::string::npos; },
                          std::chrono::seconds(10))) << outcome(vm);
}

// A guest's text is data: markup sent through an agent verb shows literally on the audit page.
QQuickItem* findItemWithText(QQuickItem* item, const QString& needle) {
    if (!item) return nullptr;
    if (item->property("text").toString().contains(needle)) return item;
    for (QQuickItem* child : item->childItems())
        if (QQuickItem* found = findItemWithText(child, needle)) return found;
    return nullptr;
}

TEST_F(ConsoleAdminTest, MarkupFromAGuestIsShownAsPlainTextOnTheAuditPage) {
    const std::string vm = daemon.vmName("markup");
    daemon.createVm(*admin, vm);
    ASSERT_TRUE(admin->call("vm.start", {{"name", vm}}));
    Json directory = daemon.directory(vm);
    int port = daemon.agentTcpPort(vm);
    ASSERT_GT(port, 0);
    {
        RawTlsAgent agent(port);
        ASSERT_TRUE(agent.authenticate(vm, directory["secret"]));
        Json r = agent.send({{"execute", "<font size=7>HUGE</font>"}, {"id", 1}});
        ASSERT_TRUE(r.contains("error")) << r.dump();
    }
    loadConsole();
    QQuickItem* label = nullptr;
    ASSERT_TRUE(spinUntil([&] { return (label = findItemWithText(window->contentItem(), "<font size=7>")) != nullptr; },
                          std::chrono::seconds(15)))
        << "the audit page does not list the guest's verb";
    EXPECT_EQ(label->property("textFormat").toInt(), int(Qt::PlainText)) << "guest text must never be rich text";
    EXPECT_LT(label->property("contentHeight").toDouble(), 40.0) << "the markup was rendered (a size 7 font)";
    shot("console-audit-plain-text.png");
}

}  // namespace
}  // namespace appliance::test

int main(int argc, char** argv) { return appliance::test::runQtTests(argc, argv); }
